"""The console's snippet and crisis API on a real server: a counsellor lists and finds snippets, keeps
their own, cannot touch the library (a coordinator can), bad input is named and stores nothing; the
chat's counsellor marks it as a crisis and the registration's form opens with it."""

import json

import pytest
import requests
from sqlalchemy import func, select

from clbchat.extensions import db
from clbchat.models import Conversation, Snippet

from ..clients import Counsellor, Visitor
from .test_registration_api import Staff

MINE = {"title": "Bib huiswerkklas", "body": "De bib helpt elke woensdag.", "category": "eigen"}


def snippet_count(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Snippet))
        db.session.remove()
        return count


def test_a_counsellor_lists_finds_and_keeps_own_snippets(live):
    sofie = Staff(Counsellor(live))
    listed = sofie.get("/snippets").json()
    assert len(listed) == 7 and all(s["library"] for s in listed)  # the defaults of the migration
    awel = next(s for s in listed if s["title"] == "Awel 102")
    assert (awel["stale"], awel["last_checked"], awel["result_code"]) == (True, None, "referral_partner")
    assert sofie.get("/snippets", params={"q": "AWE"}).json()[0]["title"] == "Awel 102"

    added = sofie.post("/snippets", json=MINE)
    assert added.status_code == 201 and added.json()["library"] is False, added.text
    changed = sofie.patch(f"/snippets/{added.json()['id']}", json={"partner_url": "https://www.bib.be"})
    assert changed.json()["partner_url"] == "https://www.bib.be" and changed.json()["stale"] is True
    assert [s["title"] for s in sofie.get("/snippets", params={"q": "bib"}).json()] == ["Bib huiswerkklas"]
    # Jonas sees only the library; Sofie's own snippet does not exist for him.
    jonas = Staff(Counsellor(live, "jonas"))
    assert len(jonas.get("/snippets").json()) == 7
    assert jonas.patch(f"/snippets/{added.json()['id']}", json={"title": "x"}).status_code == 404

    assert sofie.patch(f"/snippets/{added.json()['id']}", json={"retired": True}).status_code == 200
    assert len(sofie.get("/snippets").json()) == 7
    assert requests.get(f"{live.url}/console/api/snippets", timeout=5).status_code == 401


def test_only_a_coordinator_changes_the_library(app, live, coordinator):
    sofie = Staff(Counsellor(live))
    awel_id = next(s["id"] for s in sofie.get("/snippets").json() if s["title"] == "Awel 102")
    before = snippet_count(app)
    refused = sofie.post("/snippets", json={**MINE, "library": True})
    assert refused.status_code == 403 and "library" in refused.json()["error"]["fields"]
    assert sofie.patch(f"/snippets/{awel_id}", json={"body": "Anders"}).status_code == 403
    assert sofie.patch(f"/snippets/{awel_id}", json={"retired": True}).status_code == 403
    assert snippet_count(app) == before

    checked = coordinator.patch(f"/snippets/{awel_id}", json={"last_checked": "2026-11-01", "partner_phone": "102"})
    assert checked.status_code == 200 and checked.json()["last_checked"] == "2026-11-01", checked.text
    assert checked.json()["stale"] is False
    added = coordinator.post("/snippets", json={**MINE, "library": True, "result_code": "referral_partner"})
    assert added.status_code == 201 and added.json()["library"] is True
    assert any(s["id"] == added.json()["id"] for s in sofie.get("/snippets").json())


@pytest.mark.parametrize(("body", "field"), [
    ({**MINE, "title": ""}, "title"),
    ({**MINE, "title": "x" * 81}, "title"),
    ({**MINE, "body": "x" * 2001}, "body"),
    ({**MINE, "category": "x" * 41}, "category"),
    ({k: v for k, v in MINE.items() if k != "body"}, "body"),
    ({**MINE, "partner_url": "javascript:alert(1)"}, "partner_url"),
    ({**MINE, "partner_phone": "bel 102"}, "partner_phone"),
    ({**MINE, "result_code": "nope"}, "result_code"),
    ({**MINE, "last_checked": "gisteren"}, "last_checked"),
    ({**MINE, "library": "yes"}, "library"),
    ({**MINE, "owner_id": 2}, "owner_id"),
    ({**MINE, "title": "a\ud800b"}, "title"),
])
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(app, live, body, field):
    sofie = Staff(Counsellor(live))
    before = snippet_count(app)
    answer = sofie.post("/snippets", json=body)
    assert answer.status_code == 422 and field in answer.json()["error"]["fields"], answer.text
    assert snippet_count(app) == before


def test_a_change_with_retired_and_fields_at_once_or_nothing_is_refused(live):
    sofie = Staff(Counsellor(live))
    own_id = sofie.post("/snippets", json=MINE).json()["id"]
    assert sofie.patch(f"/snippets/{own_id}", json={"retired": True, "title": "x"}).status_code == 422
    assert sofie.patch(f"/snippets/{own_id}", json={}).status_code == 422
    assert sofie.patch(f"/snippets/{own_id}", json={"title": None}).json()["error"]["fields"].keys() == {"title"}
    assert sofie.patch(f"/snippets/{own_id}", data="not json",
                       headers={"Content-Type": "application/json"}).status_code == 400
    assert sofie.get("/snippets", params={"q": "x" * 81}).status_code == 422


def test_the_chats_counsellor_marks_it_as_crisis_and_the_registration_opens_with_it(app, live):
    visitor = Visitor(live)
    visitor.start("Mila")
    sofie_socket = Counsellor(live)
    sofie_socket.connect()
    chat_id = sofie_socket.take()["id"]
    visitor.socket.expect("state", status="active")
    sofie, jonas = Staff(sofie_socket), Staff(Counsellor(live, "jonas"))

    assert jonas.post(f"/conversations/{chat_id}/crisis").status_code == 403
    assert sofie.post("/conversations/999999/crisis").status_code == 404
    assert sofie.post(f"/conversations/{chat_id}/crisis").json()["crisis_at"]
    assert sofie.delete(f"/conversations/{chat_id}/crisis").json()["crisis_at"] is None
    marked = sofie.post(f"/conversations/{chat_id}/crisis")
    assert marked.status_code == 200 and marked.json()["crisis_at"], marked.text
    # Without the CSRF header the console's script sends, nothing changes.
    del sofie.http.headers["X-CSRFToken"]
    assert sofie.delete(f"/conversations/{chat_id}/crisis").status_code == 400
    with app.app_context():
        assert db.session.get(Conversation, chat_id).crisis_at is not None
        db.session.remove()
    assert not [f for f in visitor.socket.drain(0.3) if "crisis" in json.dumps(f)]  # the visitor never knows
    # A console that connects again (a reload) keeps the mark: the chat in `hello` carries it.
    sofie_socket.socket.close()
    again = sofie_socket.connect()
    assert next(c for c in again["chats"] if c["id"] == chat_id)["crisis_at"] == marked.json()["crisis_at"]

    sofie_socket.socket.send({"type": "end", "conversation_id": chat_id})
    sofie_socket.socket.expect("ended", conversation_id=chat_id)
    sofie = Staff(sofie_socket)
    draft = sofie.get(f"/conversations/{chat_id}/registration").json()["error"]["draft"]
    assert draft["crisis"] is True
    assert sofie.post(f"/conversations/{chat_id}/crisis").status_code == 409  # the chat has ended


def test_the_console_page_carries_the_duration_thresholds(app_config, request):
    app_config.update(DURATION_HINT_MINUTES=20, DURATION_WARNING_MINUTES=30)
    live = request.getfixturevalue("live")
    page = Counsellor(live).http.get(f"{live.url}/console/", timeout=5).text
    assert 'data-duration-hint="20"' in page and 'data-duration-warning="30"' in page
