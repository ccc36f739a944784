"""The audit log over HTTP and real sockets, on both backends: a coordinator's look-in and whisper are
written as they happen and read on the coordinators' page, filtered by chat or person; counsellors
cannot read it; the database refuses to change it."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from clbchat.cli import upsert_user
from clbchat.extensions import db

from ..clients import Counsellor
from ..conftest import PASSWORD


@pytest.fixture
def lotte(app, live):
    with app.app_context():
        upsert_user("lotte", "Lotte", "coordinator", PASSWORD)
    coordinator = Counsellor(live, "lotte")
    coordinator.connect()
    return coordinator


def test_a_look_in_and_a_whisper_are_on_the_coordinators_page(app, live, chat, lotte):
    mila, sofie, chat_id = chat
    lotte.socket.send({"type": "watch", "conversation_id": chat_id})
    lotte.socket.expect("chat")
    lotte.socket.send({"type": "whisper", "conversation_id": chat_id, "client_id": "w-1", "text": "Geheim advies"})
    sofie.socket.expect("staff_message", client_id="w-1")

    page = lotte.http.get(f"{live.url}/console/audit", params={"chat": chat_id}, timeout=5)
    assert page.status_code == 200
    assert page.text.count('data-testid="audit-entry"') == 2
    assert "keek mee" in page.text and "fluisterde" in page.text and "Geheim advies" not in page.text
    lotte_id = lotte.socket.frames[0]["counsellor"]["id"]
    assert lotte.http.get(f"{live.url}/console/audit", params={"person": lotte_id}, timeout=5).text.count(
        'data-testid="audit-entry"') == 2
    bad = lotte.http.get(f"{live.url}/console/audit", params={"chat": "x' OR 1=1"}, timeout=5)
    assert bad.status_code == 200 and 'data-testid="audit-bad-filter"' in bad.text

    assert sofie.http.get(f"{live.url}/console/audit", timeout=5, allow_redirects=False).status_code == 403

    with app.app_context():
        for statement in ("UPDATE audit_entries SET detail = 'x'", "DELETE FROM audit_entries"):
            with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
                connection.execute(text(statement))
