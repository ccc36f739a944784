"""The team page: coordinators keep each counsellor's discipline, home CLB and chat limit; a
counsellor cannot reach it; bad input names the field and changes nothing."""

import re

import pytest
from sqlalchemy import select

from clbchat.cli import upsert_user
from clbchat.domain import team
from clbchat.extensions import db
from clbchat.models import User
from clbchat.unit_of_work import unit_of_work

from ..clients import Counsellor
from ..conftest import PASSWORD


@pytest.fixture
def coordinator(app, live) -> Counsellor:
    with app.app_context():
        upsert_user("coord", "Coördinator", "coordinator", PASSWORD)
        with unit_of_work() as (session, _outbox):
            team.add_clb(session, "clb-demo-1", "Demo-CLB Noord", "Vrij CLB Netwerk")
    return Counsellor(live, "coord")


def csrf(counsellor: Counsellor, path: str) -> str:
    page = counsellor.http.get(f"{counsellor.live.url}{path}", timeout=5).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sofie(app) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "sofie"))
        db.session.expunge_all()
        return user


def test_a_coordinator_sets_discipline_home_clb_and_limit(app, live, coordinator):
    page = coordinator.http.get(f"{live.url}/console/team", timeout=5)
    assert page.status_code == 200 and "Demo-CLB Noord" in page.text and "Verpleegkundige" in page.text
    clb_id = re.search(r'<option value="(\d+)"[^>]*>Demo-CLB Noord', page.text).group(1)
    member = sofie(app)

    saved = coordinator.http.post(f"{live.url}/console/team/{member.id}", allow_redirects=False, timeout=5,
                                  data={"csrf_token": csrf(coordinator, "/console/team"), "discipline": "nurse",
                                        "home_clb_id": clb_id, "max_chats": "3"})

    assert saved.status_code == 302
    member = sofie(app)
    assert (member.discipline, member.home_clb_id, member.max_chats) == ("nurse", int(clb_id), 3)
    with app.app_context():
        assert db.session.get(User, member.id).medically_trained


@pytest.mark.parametrize(("form", "field"), [
    ({"discipline": "astronaut"}, "discipline"),
    ({"discipline": "nurse", "max_chats": "99"}, "max_chats"),
    ({"discipline": "nurse", "max_chats": "twee"}, "max_chats"),
    ({"discipline": "nurse", "home_clb_id": "9999"}, "home_clb_id"),
])
def test_bad_input_names_the_field_and_changes_nothing(app, live, coordinator, form, field):
    member = sofie(app)
    answer = coordinator.http.post(f"{live.url}/console/team/{member.id}", timeout=5,
                                   data={"csrf_token": csrf(coordinator, "/console/team"), **form})
    assert answer.status_code == 422 and f'data-field="{field}"' in answer.text
    after = sofie(app)
    assert (after.discipline, after.home_clb_id, after.max_chats) == (member.discipline, None, None)


def test_a_counsellor_cannot_open_or_change_the_team(app, live):
    counsellor = Counsellor(live, "sofie")
    assert counsellor.http.get(f"{live.url}/console/team", timeout=5).status_code == 403
    token = csrf(counsellor, "/console/")
    answer = counsellor.http.post(f"{live.url}/console/team/{sofie(app).id}", timeout=5,
                                  data={"csrf_token": token, "discipline": "doctor"})
    assert answer.status_code == 403 and sofie(app).discipline == "other"
