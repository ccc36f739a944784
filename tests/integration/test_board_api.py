"""The console's board (prikbord) API on a real server: a counsellor adds a note that the whole team
reads, newest first; the author or a coordinator takes it down, a colleague cannot; bad input is a 422
naming the field and stores nothing; every change needs the login and the CSRF header."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select

from clbchat.extensions import db
from clbchat.models import BoardNote

from ..clients import Counsellor
from .test_registration_api import Staff

NOTE = {"nickname": "Kiwi123", "body": "Vraagt naar het gsm-nummer van de medewerker. Begrenzen, dan afsluiten."}


def note_rows(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(BoardNote.id, BoardNote.removed_at).order_by(BoardNote.id)).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def note_count(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(BoardNote))
        db.session.remove()
        return count


def test_a_note_reaches_the_team_newest_first_and_expires_after_board_days(live):
    sofie, jonas = Staff(Counsellor(live)), Staff(Counsellor(live, "jonas"))
    assert sofie.get("/board").json() == {"days": 14, "notes": []}
    before = datetime.now(UTC)

    added = sofie.post("/board", json={"nickname": "  Kiwi123 ", "body": f"  {NOTE['body']}\n"})
    assert added.status_code == 201, added.text
    note = added.json()
    assert (note["nickname"], note["body"], note["author"], note["removable"]) == (
        "Kiwi123", NOTE["body"], "Sofie", True)
    created, expires = datetime.fromisoformat(note["created_at"]), datetime.fromisoformat(note["expires_at"])
    assert before <= created <= datetime.now(UTC) and expires - created == timedelta(days=14)
    later = jonas.post("/board", json={"body": "Zelfde verhaal als vorige week, telkens een andere naam."})
    assert later.status_code == 201 and later.json()["nickname"] is None

    seen = jonas.get("/board").json()
    assert [n["id"] for n in seen["notes"]] == [later.json()["id"], note["id"]]
    assert [n["removable"] for n in seen["notes"]] == [True, False]  # Jonas's own; Sofie's
    assert [n["author"] for n in seen["notes"]] == ["Jonas", "Sofie"]


def test_board_days_sets_how_long_a_note_stays(app, live):
    app.config["BOARD_DAYS"] = 3
    note = Staff(Counsellor(live)).post("/board", json=NOTE).json()
    expires, created = datetime.fromisoformat(note["expires_at"]), datetime.fromisoformat(note["created_at"])
    assert expires - created == timedelta(days=3)


def test_the_author_or_a_coordinator_removes_a_note_a_colleague_cannot(app, live, coordinator):
    sofie, jonas = Staff(Counsellor(live)), Staff(Counsellor(live, "jonas"))
    first = sofie.post("/board", json=NOTE).json()["id"]
    second = sofie.post("/board", json={**NOTE, "nickname": "Mango"}).json()["id"]
    assert [n["removable"] for n in coordinator.get("/board").json()["notes"]] == [True, True]

    refused = jonas.delete(f"/board/{first}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden", refused.text
    assert note_rows(app) == [(first, None), (second, None)]

    assert sofie.delete(f"/board/{first}").status_code == 204
    assert coordinator.delete(f"/board/{second}").status_code == 204
    assert jonas.get("/board").json()["notes"] == []
    # Gone for everyone: removing it again, or a note that never was, is a 404.
    for note_id in (first, 999_999, 2**40):
        gone = sofie.delete(f"/board/{note_id}")
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found", gone.text


@pytest.mark.parametrize(("body", "field"), [
    ({"nickname": "Kiwi"}, "body"),
    ({**NOTE, "body": ""}, "body"),
    ({**NOTE, "body": "   \n  "}, "body"),
    ({**NOTE, "body": None}, "body"),
    ({**NOTE, "body": "x" * 1001}, "body"),
    ({**NOTE, "body": 42}, "body"),
    ({**NOTE, "body": "nep\x00oproep"}, "body"),
    ({**NOTE, "body": "nep\ud800oproep"}, "body"),
    ({**NOTE, "nickname": "n" * 25}, "nickname"),
    ({**NOTE, "nickname": ["Kiwi"]}, "nickname"),
    ({**NOTE, "nickname": "Ki\udfffwi"}, "nickname"),
    ({**NOTE, "visitor_id": 7}, "visitor_id"),
    ({**NOTE, "ip": "203.0.113.9"}, "ip"),
])
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(app, live, body, field):
    sofie = Staff(Counsellor(live))
    answer = sofie.post("/board", json=body)
    assert answer.status_code == 422 and field in answer.json()["error"]["fields"], answer.text
    assert note_count(app) == 0


def test_the_limits_count_after_trimming(live):
    sofie = Staff(Counsellor(live))
    edge = sofie.post("/board", json={"nickname": "  " + "n" * 24 + "  ", "body": "\n" + "b" * 1000 + "  "})
    assert edge.status_code == 201, edge.text
    assert (edge.json()["nickname"], len(edge.json()["body"])) == ("n" * 24, 1000)
    assert sofie.post("/board", json={**NOTE, "nickname": "   "}).json()["nickname"] is None


def test_not_json_is_a_400(app, live):
    sofie = Staff(Counsellor(live))
    for data in ("niet json", "[1, 2]"):
        answer = sofie.post("/board", data=data, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_json"
    assert note_count(app) == 0


def test_login_and_the_csrf_header_are_required(app, live):
    assert requests.get(f"{live.url}/console/api/board", timeout=5).status_code == 401
    assert requests.post(f"{live.url}/console/api/board", json=NOTE, timeout=5).status_code == 400  # no token
    assert note_count(app) == 0
    sofie = Staff(Counsellor(live))
    note_id = sofie.post("/board", json=NOTE).json()["id"]
    del sofie.http.headers["X-CSRFToken"]
    assert sofie.post("/board", json=NOTE).status_code == 400
    assert sofie.delete(f"/board/{note_id}").status_code == 400
    assert note_rows(app) == [(note_id, None)]
