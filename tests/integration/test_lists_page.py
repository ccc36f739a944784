"""The lists page: a coordinator adds, renames and retires options (each a new version), a reused code
is refused with nothing changed, and a counsellor cannot reach it."""

import re

import pytest

from clbchat.cli import upsert_user
from clbchat.domain import code_lists
from clbchat.unit_of_work import reading

from ..clients import Counsellor
from ..conftest import PASSWORD


@pytest.fixture
def coordinator(app, live) -> Counsellor:
    with app.app_context():
        upsert_user("coord", "Kim", "coordinator", PASSWORD)
    return Counsellor(live, "coord")


def token(staff: Counsellor, path: str = "/console/lists") -> str:
    page = staff.http.get(f"{staff.live.url}{path}", timeout=5).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def topics(app) -> code_lists.ListSnapshot:
    with app.app_context(), reading() as session:
        snapshot = code_lists.snapshot(session, "topics")
        session.expunge_all()
        return snapshot


def post(staff: Counsellor, name: str, **form):
    return staff.http.post(f"{staff.live.url}/console/lists/{name}", data={"csrf_token": token(staff), **form},
                           allow_redirects=False, timeout=5)


def test_a_coordinator_adds_renames_and_retires_options(app, live, coordinator):
    page = coordinator.http.get(f"{live.url}/console/lists", timeout=5)
    assert page.status_code == 200 and "Zelfmoordgedachten" in page.text and "versie 1" in page.text

    assert post(coordinator, "topics", action="add", code="money", label="Geld", group_code="wellbeing"
                ).status_code == 302
    assert post(coordinator, "topics", action="rename", code="suicidal_thoughts", label="Gedachten aan zelfdoding",
                group_code="wellbeing").status_code == 302
    assert post(coordinator, "topics", action="retire", code="exam_stress").status_code == 302

    after = topics(app)
    assert after.version == 4
    assert after.labels()["suicidal_thoughts"] == "Gedachten aan zelfdoding"
    assert "money" in after.current_codes() and "exam_stress" not in after.current_codes()


def test_a_reused_code_is_refused_and_nothing_changes(app, live, coordinator):
    post(coordinator, "topics", action="retire", code="exam_stress")
    refused = post(coordinator, "topics", action="add", code="exam_stress", label="Examens", group_code="learning")
    assert refused.status_code == 409 and 'data-field="code"' in refused.text
    assert topics(app).version == 2


def test_a_counsellor_cannot_open_or_change_the_lists(app, live):
    sofie = Counsellor(live, "sofie")
    assert sofie.http.get(f"{live.url}/console/lists", timeout=5).status_code == 403
    answer = sofie.http.post(f"{live.url}/console/lists/topics", timeout=5, data={
        "csrf_token": token(sofie, "/console/"), "action": "retire", "code": "bullying"})
    assert answer.status_code == 403 and topics(app).version == 1
