"""The one way to open a database session: `unit_of_work()` for an action that writes, `reading()`
for a read. Both end their transaction and drop the session before the caller goes on, so no
transaction (and no pooled connection) is ever held while a socket or a request waits on the network.

A unit of work is one transaction, with the action's events published only after it committed. On
SQLite it takes the write lock up front and waits for it without blocking the worker
(sqlite_locking.py); a read takes no lock.
"""

from contextlib import contextmanager

from flask import current_app
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .sqlite_locking import WRITE_OPTION


@contextmanager
def unit_of_work():
    outbox: list[tuple[str, dict]] = []
    session = db.session
    if db.session().in_transaction():
        session.rollback()  # a read that came before: this action is its own (write) transaction
    try:
        session.connection(execution_options={WRITE_OPTION: True})
        yield session, outbox
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        db.session.remove()  # also drop the Session object: idle sockets should hold nothing
    bus = current_app.extensions["clbchat.bus"]
    for channel, event in outbox:
        bus.publish(channel, event)


@contextmanager
def reading():
    """A short read in a plain transaction, ended (and the session dropped) on leaving the block."""
    try:
        yield db.session
    finally:
        db.session.remove()


def retrying_on_conflict(action):
    """Run `action(retry)` (which opens its own unit of work) with retry=False, and once more with
    retry=True if it hit a unique key (a resend, or a race it lost): the retry looks first."""
    try:
        return action(False)
    except IntegrityError:
        return action(True)
