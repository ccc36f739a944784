"""One transaction per action, with the action's events published only after it committed.

The WebSocket handlers live for hours; each action they take is a short unit of work, so no
transaction (and no pooled connection) is held while a socket waits for the next frame.
"""

from contextlib import contextmanager

from flask import current_app
from sqlalchemy.exc import IntegrityError

from .extensions import db


@contextmanager
def unit_of_work():
    outbox: list[tuple[str, dict]] = []
    session = db.session
    try:
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


def retrying_on_conflict(action):
    """Run `action(retry)` (which opens its own unit of work) with retry=False, and once more with
    retry=True if it hit a unique key (a resend, or a race it lost): the retry looks first."""
    try:
        return action(False)
    except IntegrityError:
        return action(True)
