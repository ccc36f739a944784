"""What the host pages call: the widget files, opening hours status, asking for a chat, the hosted
chat page. Cross-origin by design; every API response checks the Origin against the site's list."""

from flask import Blueprint

bp = Blueprint("widget_api", __name__)

from . import routes, widget_files  # noqa: E402,F401
