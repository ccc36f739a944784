"""Fixtures for the domain tests: an app on a fresh SQLite file built by the real migrations.

The domain functions take a session and an `outbox` list and never commit; the tests commit when
another connection has to see the data (the race tests).
"""

from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest

import clbchat
from clbchat.cli import upsert_site
from clbchat.domain import queue
from clbchat.extensions import db
from clbchat.models import User

# A Wednesday evening; the domain never reads the clock itself, every call gets `now`.
T0 = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)
MAX_CHATS = 2  # the default MAX_CHATS_PER_COUNSELLOR
QUEUE_MAX = 30


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("CLBCHAT_VAR_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "REDIS_URL"):  # these tests are SQLite and in-process only
        monkeypatch.delenv(name, raising=False)
    app = clbchat.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db", "CHAT_HOURS": "24/7",
                              "SECRET_KEY": "test"})
    with app.app_context():
        flask_migrate.upgrade(directory=clbchat.MIGRATIONS_DIR)
        yield app
        db.session.remove()
        db.engine.dispose()
    app.extensions["clbchat.hub"].stop()
    app.extensions["clbchat.bus"].close()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def site(session):
    return upsert_site("school", "Testschool", ["http://school.test"])


@pytest.fixture
def make_user(session, site):
    """Like cli.upsert_user, without the (slow, irrelevant here) scrypt hash.

    After the site: upsert_site is a unit of work, which ends the session (and would leave users
    made before it detached)."""

    def make(username: str, max_chats: int | None = None, display_name: str | None = None) -> User:
        user = User(username=username, display_name=display_name or username.title(), role="counsellor",
                    password_hash="not-used", max_chats=max_chats, active=True)
        session.add(user)
        session.commit()
        return user

    return make


@pytest.fixture
def counsellor(make_user):
    return make_user("sofie")


@pytest.fixture
def coordinator(session, make_user):
    user = make_user("coord")
    user.role = "coordinator"
    session.commit()
    return user


@pytest.fixture
def ask(session, site):
    """Ask for a chat as a visitor; returns (ChatRequest, outbox)."""
    site_id = site.id  # read once: tests may close the session between requests

    def ask(nickname: str = "Kiwi", at: datetime = T0, role: str | None = "pupil",
            queue_max: int = QUEUE_MAX) -> tuple[queue.ChatRequest, list]:
        outbox: list = []
        request = queue.request_chat(session, site_id, nickname, role, None, queue_max, at, outbox)
        return request, outbox

    return ask


@pytest.fixture
def active_chat(session, ask, counsellor):
    """A conversation the counsellor picked up a minute after the visitor asked."""
    request, _ = ask("Kiwi", T0)
    conversation = queue.take(session, counsellor, request.conversation_id, MAX_CHATS, T0 + timedelta(minutes=1), [])
    return conversation
