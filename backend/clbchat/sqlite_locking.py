"""SQLite, the embedded default: WAL mode, and the write lock taken without ever blocking the worker.

Reads start a plain (deferred) transaction: in WAL mode they never wait for a writer and take no lock
that a writer waits for. A unit of work (unit_of_work.py), which writes, asks for the write lock up
front with BEGIN IMMEDIATE: a deferred transaction that reads and then writes can fail at once in
WAL mode instead of waiting its turn.

SQLite's own busy handler sleeps inside the C library, which on a gevent worker freezes every
greenlet of the process (every socket, every request) for as long as another holds the lock. So the
busy timeout is 0, and the wait for the write lock happens here, in Python, with `time.sleep`, which
gevent's monkey-patching turns into a yield to the other greenlets (and which merely sleeps a
thread elsewhere).
"""

import sqlite3
import time

from sqlalchemy import event

WRITE_OPTION = "clbchat_write"
LOCK_WAIT_SECONDS = 15  # then the action fails as "unavailable" (503 / error frame), never hangs
_FIRST_PAUSE, _MAX_PAUSE = 0.0005, 0.02


def install(engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions start (see on_begin).
        dbapi_connection.isolation_level = None
        for pragma in ("PRAGMA busy_timeout=0", "PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON",
                       "PRAGMA synchronous=NORMAL"):
            run_waiting_for_lock(dbapi_connection, pragma)

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        dbapi_connection = connection.connection.dbapi_connection
        if connection.get_execution_options().get(WRITE_OPTION):
            run_waiting_for_lock(dbapi_connection, "BEGIN IMMEDIATE")
        else:
            dbapi_connection.execute("BEGIN")


def run_waiting_for_lock(dbapi_connection, statement: str) -> None:
    """Run `statement`, retrying while another connection holds the lock, yielding between tries."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    pause = _FIRST_PAUSE
    while True:
        try:
            dbapi_connection.execute(statement)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, _MAX_PAUSE)
