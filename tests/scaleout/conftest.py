"""Fixtures for tests with real processes: hosts on PostgreSQL sharing a Redis.

These run only in the scale-out pass of `make test` (CLBCHAT_TEST_BACKEND=scaleout): unreachable
services skip the tests with the reason, or fail them when CI=true. The hosts use this run's own
database and Redis channel prefix (../conftest.py), never a developer's.
"""

import contextlib
import socket

import pytest

import clbchat
from clbchat.cli import upsert_site, upsert_user
from clbchat.extensions import db

from ..conftest import PASSWORD, REDIS_PREFIX, REDIS_URL, SITE_ORIGIN, _truncate_postgres
from .processes import Host, PrivateRedis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def service_env(migrated_postgres, tmp_path):
    _truncate_postgres(migrated_postgres)
    app = clbchat.create_app({"SQLALCHEMY_DATABASE_URI": migrated_postgres, "SECRET_KEY": "scaleout"})
    with app.app_context():
        upsert_site("school", "Testschool", [SITE_ORIGIN])
        for i in range(10):
            upsert_user(f"counsellor{i}", f"Begeleider {i}", "counsellor", PASSWORD)
        db.engine.dispose()
    return {"DATABASE_URL": migrated_postgres, "REDIS_URL": REDIS_URL, "REDIS_PREFIX": REDIS_PREFIX,
            "SECRET_KEY": "scaleout", "CHAT_HOURS": "24/7", "CLBCHAT_VAR_DIR": str(tmp_path), "HEARTBEAT_SECONDS": "1",
            "VISITOR_GRACE_SECONDS": "60", "MAX_CHATS_PER_COUNSELLOR": "5", "QUEUE_MAX": "1000",
            "GRACEFUL_TIMEOUT": "3", "FLOOD_BURST": "200"}


@contextlib.contextmanager
def started_hosts(env: dict, tmp_path, count: int = 2):
    """`count` hosts on `env`, started; all stopped afterwards (also any the test added to the list)."""
    started = [Host(free_port(), env, tmp_path) for _ in range(count)]
    try:
        for host in started:
            host.start()
        yield started
    finally:
        for host in started:
            host.stop()


@pytest.fixture
def hosts(service_env, tmp_path):
    """Two hosts (one gunicorn gevent worker each) on the same database and Redis."""
    with started_hosts(service_env, tmp_path) as started:
        yield started


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(free_port(), tmp_path).start()
    yield server
    server.stop()
