"""Shared fixtures: a migrated database, the app, and a real HTTP/WebSocket server on a free port.

Two backends, chosen by CLBCHAT_TEST_BACKEND:
- unset: the embedded default (SQLite file, in-process events);
- "scaleout": PostgreSQL and Redis on this machine (docs/deploy.md). When they are unreachable the
  tests skip with the reason, except under CI=true, where that is a failure.

A run never touches data of anyone else (README, "Testing"): SQLite files live in pytest's temporary
directories; on PostgreSQL the run creates its own database, clbchat_test_<RUN_ID>, through the
`postgres` maintenance database and drops it at the end; on Redis (which the service only uses for
pub/sub, and whose channels ignore the database number) the run's events travel on its own channel
prefix. TEST_DATABASE_URL names a database to use instead (its schema is reset: never point it at
data you keep); TEST_PG_SERVER_URL another server; TEST_REDIS_URL another Redis.
"""

import os
import secrets
import shutil
import threading

import pytest
from werkzeug.serving import make_server

import clbchat
from clbchat.cli import upsert_site, upsert_user
from clbchat.extensions import db

BACKEND = os.environ.get("CLBCHAT_TEST_BACKEND", "embedded")
# This run's names: parallel runs on one machine (or one database server) never share them.
RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"
PG_SERVER_URL = os.environ.get("TEST_PG_SERVER_URL", "postgresql://root@127.0.0.1:5432").rstrip("/")
PG_MAINTENANCE_URL = f"{PG_SERVER_URL}/postgres"
PG_OWN_DATABASE = not os.environ.get("TEST_DATABASE_URL")
PG_URL = os.environ.get("TEST_DATABASE_URL") or f"{PG_SERVER_URL}/clbchat_test_{RUN_ID}"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS_PREFIX = f"clbchat_test_{RUN_ID}"
# Every app of this run reads it from the environment: the in-process ones (config.from_env) and the
# gunicorn hosts the scale-out tests start (they inherit os.environ).
os.environ["REDIS_PREFIX"] = REDIS_PREFIX
SITE_ORIGIN = "http://school.test:8000"
PASSWORD = "correct horse battery"

# Fast clocks for tests: heartbeats every half second, visitors gone after two.
FAST = {"HEARTBEAT_SECONDS": 1, "VISITOR_GRACE_SECONDS": 3}


def scaleout_services_or_skip():
    """Fail under CI, skip elsewhere, when PostgreSQL or Redis is not reachable."""
    import psycopg
    import redis

    problems = []
    probe = PG_MAINTENANCE_URL if PG_OWN_DATABASE else PG_URL  # our own database does not exist yet
    try:
        psycopg.connect(probe, connect_timeout=3).close()
    except Exception as exc:
        problems.append(f"PostgreSQL at {probe}: {exc}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        problems.append(f"Redis at {REDIS_URL}: {exc}")
    if problems:
        message = "scale-out services unreachable: " + "; ".join(problems)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """One SQLite file migrated with the real migrations; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = clbchat.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "test"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=clbchat.MIGRATIONS_DIR)
        db.engine.dispose()
    return path


def _database_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


@pytest.fixture(scope="session")
def migrated_postgres():
    """This run's PostgreSQL database, migrated: created here (and dropped at the end), or the
    TEST_DATABASE_URL one with its schema reset."""
    import psycopg
    from flask_migrate import upgrade
    from sqlalchemy import text

    scaleout_services_or_skip()
    name = _database_name(PG_URL)
    if PG_OWN_DATABASE:
        with psycopg.connect(PG_MAINTENANCE_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    app = clbchat.create_app({"SQLALCHEMY_DATABASE_URI": PG_URL, "SECRET_KEY": "test"})
    with app.app_context():
        if not PG_OWN_DATABASE:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=clbchat.MIGRATIONS_DIR)
        db.engine.dispose()
    app.extensions["clbchat.hub"].stop()
    app.extensions["clbchat.bus"].close()
    _remember_reference_data(PG_URL)
    yield PG_URL
    if PG_OWN_DATABASE:  # FORCE: a host a failed test left running must not keep it alive
        with psycopg.connect(PG_MAINTENANCE_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(request, tmp_path) -> str:
    if BACKEND == "scaleout":
        url = request.getfixturevalue("migrated_postgres")
        _truncate_postgres(url)
        return url
    template = request.getfixturevalue("migrated_sqlite")
    path = tmp_path / "clbchat.sqlite3"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


# What the migrations put in (the default lists and snippets): every test starts from it again.
_reference_rows: dict[str, tuple[list[str], list[tuple]]] = {}


def _remember_reference_data(url: str) -> None:
    import psycopg

    with psycopg.connect(url) as connection:
        for table in _tables(connection):
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            rows = cursor.fetchall()
            if rows:
                _reference_rows[table] = ([c.name for c in cursor.description], rows)


def _tables(connection) -> list[str]:
    return [name for (name,) in connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]


def _truncate_postgres(url: str) -> None:
    """Empty this run's database between tests, back to what the migrations left. Redis needs
    nothing: it holds no data, and this run's events go over this run's own channel."""
    import psycopg

    with psycopg.connect(url) as connection:
        tables = ", ".join(f'"{t}"' for t in _tables(connection))
        # A socket thread of the test before may still be reading (its client closes when collected):
        # PostgreSQL may then pick this TRUNCATE as the victim of a deadlock. It is safe to repeat.
        for attempt in range(5):
            try:
                connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
                break
            except psycopg.errors.DeadlockDetected:
                connection.rollback()
                if attempt == 4:
                    raise
        for table, (columns, rows) in _reference_rows.items():
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            connection.cursor().executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
            if "id" in columns:  # ids given explicitly: move the sequence past them
                connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM \"{table}\"")


@pytest.fixture
def app_config(request, tmp_path, monkeypatch):
    """The config overrides for this test's app; tests may change it before asking for `app`."""
    monkeypatch.setenv("CLBCHAT_VAR_DIR", str(tmp_path))
    config = {"SQLALCHEMY_DATABASE_URI": database_url(request, tmp_path), "SECRET_KEY": "test-secret",
              "CHAT_HOURS": "24/7", **FAST}
    if BACKEND == "scaleout":
        config.update(REDIS_URL=REDIS_URL, REDIS_PREFIX=REDIS_PREFIX)
    return config


@pytest.fixture
def app(app_config):
    from clbchat.widget_api.cors import clear_site_cache

    clear_site_cache()
    app = clbchat.create_app(app_config)
    with app.app_context():
        upsert_site("school", "Testschool", [SITE_ORIGIN])
        upsert_user("sofie", "Sofie", "counsellor", PASSWORD)
        upsert_user("jonas", "Jonas", "counsellor", PASSWORD)
        db.session.remove()
    yield app
    app.extensions["clbchat.hub"].stop()
    app.extensions["clbchat.bus"].close()
    with app.app_context():
        db.engine.dispose()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def live(app):
    server = LiveServer(app)
    yield server
    server.stop()
