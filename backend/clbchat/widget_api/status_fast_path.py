"""Answers GET /api/sites/<slug>/status from this process's caches, before Flask.

Every page view with the button asks for the status, and the answer changes at most every
RECOMPUTE_SECONDS, so the request context, session, routing and response objects Flask would build
for it are most of its cost (docs/benchmarks.md, benchmark 1). When the site's settings and its
status answer are both cached and the Origin is one of the site's own, the answer is replayed from
bytes here; anything else (a cache miss, an unknown site, a foreign origin, HEAD) goes to the Flask
route in routes.py, which computes the answer, fills the caches and gives the errors.
It is a function rather than a class for the reason given in clbchat/fair_turns.py.
"""

import re
from datetime import UTC, datetime

from .cors import cached_site_info
from .status import cached_status_body, status_answer

STATUS_PATH = re.compile(r"/api/sites/([^/]+)/status")
REASONS = {200: "200 OK", 304: "304 Not Modified"}


def status_fast_path(wsgi_app):
    def answer_status_or_pass_on(environ, start_response):
        if environ["REQUEST_METHOD"] == "GET":
            match = STATUS_PATH.fullmatch(environ.get("PATH_INFO", ""))
            answer = match and _cached_answer(match.group(1), environ)
            if answer:
                code, headers, payload = answer
                start_response(REASONS[code], headers)
                return [payload]
        return wsgi_app(environ, start_response)

    return answer_status_or_pass_on


def _cached_answer(slug: str, environ: dict):
    site = cached_site_info(slug)
    if site is None:
        return None
    origin = environ.get("HTTP_ORIGIN")
    # The service's own origin (the hosted /chat page) is also allowed, but only Flask knows it.
    if origin is not None and origin.rstrip("/") not in site["allowed_origins"]:
        return None
    now = datetime.now(UTC)
    body = cached_status_body(slug, now)
    return body and status_answer(body, now, origin, environ)
