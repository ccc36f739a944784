"""The opening hours page on a real server: coordinators only; a preview of six weeks saves nothing;
a saved version and a one-off day change the widget status and the chat request check at once (the
status answer is cached per site: `hours_changed` clears it, in-process or through Redis); bad input
names the field and changes nothing."""

import re
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import func, select

from clbchat.cli import upsert_user
from clbchat.models import ScheduleDay, ScheduleVersion
from clbchat.unit_of_work import reading

from ..clients import Counsellor
from ..conftest import PASSWORD, SITE_ORIGIN

ALLOWED = {"Origin": SITE_ORIGIN}
HOURS_2020 = "Mo-Th 14:00-21:00; PH off"


@pytest.fixture(autouse=True)
def closed_by_default(app_config):
    """CHAT_HOURS closed (not the 24/7 switch): whatever opens the chat comes from the page."""
    app_config["CHAT_HOURS"] = "24/7 off"
    return app_config


@pytest.fixture
def coordinator(app, live) -> Counsellor:
    with app.app_context():
        upsert_user("coord", "Kim", "coordinator", PASSWORD)
    return Counsellor(live, "coord")


def today() -> date:
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def token(staff: Counsellor, path: str = "/console/hours") -> str:
    page = staff.http.get(f"{staff.live.url}{path}", timeout=5).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def post(staff: Counsellor, path: str, **form) -> requests.Response:
    return staff.http.post(f"{staff.live.url}/console/hours{path}", data={"csrf_token": token(staff), **form},
                           allow_redirects=False, timeout=5)


def stored(app, model) -> int:
    with app.app_context(), reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def widget_open(live) -> bool:
    return requests.get(f"{live.url}/api/sites/school/status", headers=ALLOWED, timeout=5).json()["open"]


def becomes(live, expected: bool) -> bool:
    """The status turns `expected` within 3 s: far sooner than any cache would run out (30 s), so only
    the hours_changed event (through Redis on the scale-out backend) can have done it."""
    deadline = time.monotonic() + 3
    while widget_open(live) != expected:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def ask_chat(live, nickname: str = "Mila") -> requests.Response:
    return requests.post(f"{live.url}/api/sites/school/conversations", json={"nickname": nickname},
                         headers=ALLOWED, timeout=5)


def test_a_counsellor_can_neither_open_nor_change_the_hours(app, live):
    sofie = Counsellor(live, "sofie")
    assert sofie.http.get(f"{live.url}/console/hours", timeout=5).status_code == 403
    csrf = token(sofie, "/console/")
    for path, form in (("/versions", {"action": "save", "expression": "24/7", "effective_from": "2026-01-01"}),
                       ("/days", {"day": "2026-12-28", "kind": "closed", "reason": "Kerst"})):
        answer = sofie.http.post(f"{live.url}/console/hours{path}", data={"csrf_token": csrf, **form}, timeout=5)
        assert answer.status_code == 403 and "Geen toegang" in answer.text
    assert stored(app, ScheduleVersion) == 0 and stored(app, ScheduleDay) == 0
    console = sofie.http.get(f"{live.url}/console/", timeout=5).text
    assert "/console/hours" not in console


def test_the_console_header_links_the_page_for_a_coordinator(coordinator, live):
    console = coordinator.http.get(f"{live.url}/console/", timeout=5).text
    assert 'href="/console/hours">Openingsuren</a>' in console
    page = coordinator.http.get(f"{live.url}/console/hours", timeout=5)
    assert page.status_code == 200 and "Openingsuren" in page.text
    assert "Altijd (er is nog geen schema bewaard)" in page.text and "<code>24/7 off</code>" in page.text


def test_the_preview_shows_six_weeks_and_saves_nothing(app, live, coordinator):
    assert not widget_open(live)
    answer = post(coordinator, "/versions", action="preview", expression=HOURS_2020, effective_from="2020-03-01",
                  note="Ook namiddag")
    assert answer.status_code == 200
    days = re.findall(r'data-testid="preview-day" data-date="([0-9-]+)"', answer.text)
    assert len(days) == 42 and days[0] == "2020-03-01" and days[-1] == "2020-04-11"
    assert "nog niet bewaard" in answer.text and "verandert welke dagen" in answer.text  # in the past
    monday = re.search(r'data-date="2020-03-02".*?</tr>', answer.text, re.S).group(0)
    assert "14:00–21:00" in monday and "dit nieuwe schema" in monday
    easter_monday = re.search(r'data-date="2020-04-13"', answer.text)
    assert easter_monday is None  # beyond the six weeks
    # The save form carries exactly what was previewed.
    save_form = re.search(r'data-testid="save-form">(.*?)</form>', answer.text, re.S).group(1)
    assert f'name="expression" value="{HOURS_2020}"' in save_form and 'value="2020-03-01"' in save_form
    assert stored(app, ScheduleVersion) == 0
    assert not widget_open(live)


def test_a_saved_version_and_one_off_days_reach_the_widget_and_the_chat_request_at_once(app, live, coordinator):
    assert not widget_open(live)  # the closed answer is now cached for this site
    assert ask_chat(live).json()["error"]["code"] == "closed"

    saved = post(coordinator, "/versions", action="save", expression="24/7",
                 effective_from=(today() - timedelta(days=1)).isoformat(), note="Proef")
    assert saved.status_code == 302
    assert becomes(live, True)
    assert ask_chat(live, "Mila").status_code == 201
    page = coordinator.http.get(f"{live.url}/console/hours", timeout=5).text
    assert "Nieuwe openingsuren bewaard" in page and "Nu van kracht" in page and "<code>24/7</code>" in page

    closed = post(coordinator, "/days", day=today().isoformat(), kind="closed", reason="Personeelsdag")
    assert closed.status_code == 302
    assert becomes(live, False)
    assert ask_chat(live, "Noor").json()["error"]["code"] == "closed"
    page = coordinator.http.get(f"{live.url}/console/hours", timeout=5).text
    assert "uitzondering: Personeelsdag" in page

    with app.app_context(), reading() as session:
        day_id = session.scalar(select(ScheduleDay.id))
    assert post(coordinator, f"/days/{day_id}/remove").status_code == 302
    assert becomes(live, True)
    assert ask_chat(live, "Noor").status_code == 201


def test_an_extra_open_day_opens_a_closed_chat_with_its_hours(app, live, coordinator):
    answer = post(coordinator, "/days", day=today().isoformat(), kind="open", open_from="00:00", open_to="24:00",
                  reason="Open dag")
    assert answer.status_code == 302
    assert becomes(live, True)
    week = requests.get(f"{live.url}/api/sites/school/status", headers=ALLOWED, timeout=5).json()["week"]
    assert week[0]["hours"] == [["00:00", "24:00"]] and all(day["hours"] == [] for day in week[1:])


@pytest.mark.parametrize(("path", "form", "status", "field"), [
    ("/versions", {"action": "preview", "expression": "Mo-Fr 25:00-bogus", "effective_from": "2026-12-01"}, 422,
     "expression"),
    ("/versions", {"action": "save", "expression": "Mo-Fr 25:00-bogus", "effective_from": "2026-12-01"}, 422,
     "expression"),
    ("/versions", {"action": "save", "expression": HOURS_2020, "effective_from": "volgende week"}, 422,
     "effective_from"),
    ("/days", {"day": "2026-12-01", "kind": "open", "hours": "bogus", "reason": "Staf"}, 422, "hours"),
    ("/days", {"day": "2026-12-01", "kind": "open", "open_from": "21:00", "open_to": "17:00", "reason": "Staf"}, 422,
     "open_to"),
    ("/days", {"day": "2026-12-01", "kind": "closed", "reason": ""}, 422, "reason"),
    ("/days/999/remove", {}, 404, "day_id"),
])
def test_bad_input_names_the_field_in_dutch_and_changes_nothing(app, live, coordinator, path, form, status, field):
    answer = post(coordinator, path, **form)
    assert answer.status_code == status
    assert f'data-field="{field}"' in answer.text
    assert stored(app, ScheduleVersion) == 0 and stored(app, ScheduleDay) == 0
    assert not widget_open(live)


def test_the_error_keeps_what_was_typed_and_says_where(coordinator):
    answer = post(coordinator, "/versions", action="preview", expression="Mo-Fr 25:00-bogus",
                  effective_from="2026-12-01")
    assert "fout bij teken 7" in answer.text and ">Mo-Fr 25:00-bogus</textarea>" in answer.text
    assert 'aria-invalid="true" aria-describedby="error-expression"' in answer.text


def test_a_second_one_off_day_on_the_same_date_is_refused(app, coordinator):
    assert post(coordinator, "/days", day="2026-12-28", kind="closed", reason="Kerst").status_code == 302
    answer = post(coordinator, "/days", day="2026-12-28", kind="open", open_from="17:00", open_to="21:00",
                  reason="Toch open")
    assert answer.status_code == 409 and 'data-field="day"' in answer.text
    assert stored(app, ScheduleDay) == 1
