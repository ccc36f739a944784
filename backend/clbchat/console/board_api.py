"""The console's JSON API for the shared board (prikbord): staff notes about recent recurring and
prank chatters (domain/board.py). Same conventions as api.py: JSON in through marshmallow, the field
named on bad input, the CSRF header on every change."""

from datetime import UTC, datetime

from flask import current_app, g, jsonify

from ..auth import requires
from ..domain import board
from ..domain.errors import DomainError
from ..schemas import INT_MAX
from ..unit_of_work import reading, unit_of_work
from . import bp
from .api import _load
from .board_schemas import BoardNoteIn, BoardNoteOut, BoardOut
from .snippets_api import _answers_domain_errors

_note_in, _note_out, _board_out = BoardNoteIn(), BoardNoteOut(), BoardOut()


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/api/board")
@requires(api=True)
def list_board():
    """The notes on the board now, newest first, and how many days a note stays."""
    with reading() as session:
        notes = [board.view(note, g.user) for note in board.current(session, _now())]
        body = _board_out.dump({"days": current_app.config["BOARD_DAYS"], "notes": notes})
    return jsonify(body)


@bp.post("/api/board")
@requires(api=True)
@_answers_domain_errors
def add_board_note():
    data = _load(_note_in)
    with unit_of_work() as (session, _outbox):
        note = board.add(session, g.user, data["nickname"], data["body"], current_app.config["BOARD_DAYS"], _now())
        body = _note_out.dump(board.view(note, g.user))
    return jsonify(body), 201


@bp.delete("/api/board/<int:note_id>")
@requires(api=True)
@_answers_domain_errors
def remove_board_note(note_id):
    """Take a note down: its author, or a coordinator. 204."""
    if note_id > INT_MAX:  # no such row can exist; the database need not be asked
        raise DomainError("not_found", "Deze notitie staat niet (meer) op het prikbord.", field="id")
    with unit_of_work() as (session, _outbox):
        board.remove(session, note_id, g.user, _now())
    return "", 204
