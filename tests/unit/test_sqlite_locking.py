"""SQLite locking: reads take no lock, and a writer waits for the lock in Python (where gevent can
switch to other greenlets), never in SQLite's busy handler."""

import sqlite3

import pytest
from sqlalchemy import select, text

from clbchat import sqlite_locking
from clbchat.extensions import db
from clbchat.models import Site
from clbchat.unit_of_work import reading, unit_of_work


def _raw(app):
    """Another connection to the same file, as another worker process would have."""
    return sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), timeout=0,
                           isolation_level=None)


def test_connections_have_no_busy_handler(app):
    with reading() as session:
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 0


def test_a_read_takes_no_lock_that_a_writer_would_wait_for(app, site):
    other = _raw(app)
    with reading() as session:
        assert session.scalar(select(Site.slug)) == "school"
        # Our read transaction is still open here, as it would be during a slow client's request.
        other.execute("BEGIN IMMEDIATE")  # would raise "database is locked" if the read held a lock
        other.execute("UPDATE sites SET name = 'Andere naam'")
        other.execute("COMMIT")
    other.close()


def test_a_writer_waits_for_the_lock_by_sleeping_in_python(app, site, monkeypatch):
    other = _raw(app)
    other.execute("BEGIN IMMEDIATE")
    pauses = []

    def sleep(seconds):  # gevent patches time.sleep into a yield; here: release after a few waits
        pauses.append(seconds)
        if len(pauses) == 5:
            other.execute("COMMIT")

    monkeypatch.setattr(sqlite_locking.time, "sleep", sleep)
    with unit_of_work() as (session, _outbox):
        session.execute(text("UPDATE sites SET name = 'Gewacht'"))
    assert len(pauses) == 5
    assert pauses == sorted(pauses)  # backing off
    with reading() as session:
        assert session.scalar(select(Site.name)) == "Gewacht"
    other.close()


def test_a_writer_gives_up_after_the_deadline(app, site, monkeypatch):
    other = _raw(app)
    other.execute("BEGIN IMMEDIATE")
    clock = [0.0]
    monkeypatch.setattr(sqlite_locking.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(sqlite_locking.time, "sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    with pytest.raises(Exception, match="locked"), unit_of_work() as (session, _outbox):
        session.execute(text("UPDATE sites SET name = 'Nooit'"))
    assert clock[0] <= sqlite_locking.LOCK_WAIT_SECONDS
    other.execute("ROLLBACK")
    other.close()
    db.session.remove()
