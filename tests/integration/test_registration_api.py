"""The console's registration API on a real server: a chat ends from either side, the counsellor
registers it over HTTP, bad input is named and stores nothing, a racing second save loses cleanly, and
only coordinators change the lists."""

import re
import threading

import pytest
import requests

from clbchat.cli import upsert_user
from clbchat.extensions import db
from clbchat.models import Registration

from ..clients import Counsellor, Visitor
from ..conftest import PASSWORD

FORM = {"visitor_type": "pupil", "age": 15, "topics": ["study_choice"], "results": ["info_advice"]}


class Staff:
    """A logged-in console user's HTTP session with the CSRF header the console's script sends."""

    def __init__(self, counsellor: Counsellor):
        self.http, self.url = counsellor.http, counsellor.live.url
        page = self.http.get(f"{self.url}/console/", timeout=5).text
        self.http.headers["X-CSRFToken"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def __getattr__(self, method):
        return lambda path, **kw: self.http.request(method.upper(), f"{self.url}/console/api{path}", timeout=5,
                                                    **kw)


def ended_chat(live, ended_by: str) -> tuple[Counsellor, int]:
    visitor = Visitor(live)
    visitor.start("Mila")
    sofie = Counsellor(live)
    sofie.connect()
    chat_id = sofie.take()["id"]
    visitor.socket.expect("state", status="active")
    if ended_by == "counsellor":
        sofie.socket.send({"type": "end", "conversation_id": chat_id})
    else:
        visitor.socket.send({"type": "leave", "reason": "quick_exit" if ended_by == "quick_exit" else "left"})
    sofie.socket.expect("ended", conversation_id=chat_id)
    return sofie, chat_id


@pytest.mark.parametrize("ended_by", ["counsellor", "visitor", "quick_exit"])
def test_a_chat_ended_from_either_side_is_open_for_registration_and_registered(app, live, ended_by):
    sofie, chat_id = ended_chat(live, ended_by)
    api = Staff(sofie)
    assert [r["conversation_id"] for r in api.get("/registrations/open").json()] == [chat_id]
    draft = api.get(f"/conversations/{chat_id}/registration")
    assert draft.status_code == 404 and draft.json()["error"]["draft"]["visitor_type"] == "pupil"

    saved = api.post(f"/conversations/{chat_id}/registration", json={**FORM, "topics": ["bullying", "family"]})

    assert saved.status_code == 201, saved.text
    assert saved.json()["topics"] == ["bullying", "family"] and saved.json()["topics_version"] == 1
    assert api.get("/registrations/open").json() == []
    with app.app_context():
        assert db.session.get(Registration, chat_id).age == 15


@pytest.mark.parametrize(("body", "field"), [
    ({**FORM, "age": 40}, "age"),
    ({**FORM, "age": "15"}, "age"),
    ({**FORM, "topics": ["nope"]}, "topics"),
    ({**FORM, "note": "x" * 2001}, "note"),
    ({**FORM, "visitor_type": "robot"}, "visitor_type"),
    ({**FORM, "note": "a\ud800b"}, "note"),
    ({**FORM, "extra": 1}, "extra"),
])
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(app, live, body, field):
    sofie, chat_id = ended_chat(live, "counsellor")
    answer = Staff(sofie).post(f"/conversations/{chat_id}/registration", json=body)
    assert answer.status_code == 422 and field in answer.json()["error"]["fields"], answer.text
    with app.app_context():
        assert db.session.get(Registration, chat_id) is None


def test_two_racing_saves_store_one_registration(app, live):
    sofie, chat_id = ended_chat(live, "counsellor")
    api = Staff(sofie)
    answers, start = [], threading.Barrier(2)

    def save(age):
        start.wait()
        answers.append(api.post(f"/conversations/{chat_id}/registration", json={**FORM, "age": age}).status_code)

    threads = [threading.Thread(target=save, args=(age,)) for age in (14, 16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(answers) == [201, 409]


def test_others_registrations_and_the_lists_are_out_of_a_counsellors_reach(app, live):
    sofie, chat_id = ended_chat(live, "counsellor")
    Staff(sofie).post(f"/conversations/{chat_id}/registration", json=FORM)
    jonas = Staff(Counsellor(live, "jonas"))
    assert jonas.get(f"/conversations/{chat_id}/registration").status_code == 403
    assert jonas.put(f"/conversations/{chat_id}/registration", json=FORM).status_code == 403
    assert jonas.post("/lists/topics/options", json={"code": "money", "label": "Geld"}).status_code == 403
    assert requests.get(f"{live.url}/console/api/lists", timeout=5).status_code == 401

    with app.app_context():
        upsert_user("coord", "Coördinator", "coordinator", PASSWORD)
        db.session.remove()
    coordinator = Staff(Counsellor(live, "coord"))
    assert coordinator.get(f"/conversations/{chat_id}/registration").json()["age"] == 15
    added = coordinator.post("/lists/topics/options", json={"code": "money", "label": "Geld",
                                                            "group_code": "wellbeing"})
    assert added.status_code == 201 and added.json()["version"] == 2
    retired = coordinator.patch("/lists/topics/options/money", json={"retired": True})
    assert retired.json()["version"] == 3
    assert [o for o in retired.json()["options"] if o["code"] == "money"][0]["retired"] is True
    assert coordinator.post("/lists/topics/options", json={"code": "money", "label": "Geld"}).status_code == 409
    corrected = coordinator.put(f"/conversations/{chat_id}/registration", json={**FORM, "age": 16})
    assert corrected.status_code == 200 and corrected.json()["updated_by"] != corrected.json()["counsellor_id"]
