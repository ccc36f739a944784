"""The counsellor console: login, logout and the console page (its live part is /ws/console), and the
console's JSON API under /console/api (api.py; snippets and the crisis mark: snippets_api.py; the shared
board: board_api.py)."""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")

from . import (  # noqa: E402,F401
    api,
    audit_page,
    board_api,
    hours_page,
    lists,
    report,
    routes,
    snippets_api,
    snippets_page,
    team,
)
