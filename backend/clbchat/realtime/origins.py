"""Which browser origins may use a site's chat: the site's own list, plus the service itself (the
hosted page at /chat/<slug>)."""

import time

from flask import request
from sqlalchemy import select

from ..models import Site
from ..unit_of_work import reading

ORIGINS_CACHE_SECONDS = 30  # as the widget API's site cache (widget_api/cors.py)
_origins_cache: tuple[float, frozenset[str]] = (0.0, frozenset())


def own_origin() -> str:
    return f"{request.scheme}://{request.host}"


def origin_allowed(origin: str | None, allowed_origins: list[str]) -> bool:
    if not origin:
        return False
    origin = origin.rstrip("/")
    return origin == own_origin() or origin in allowed_origins


def origin_allowed_anywhere(origin: str | None) -> bool:
    """Before a visitor's hello we do not know the site yet: the origin must belong to some site."""
    if not origin:
        return False
    origin = origin.rstrip("/")
    if origin == own_origin():
        return True
    return origin in _all_allowed_origins()


def _all_allowed_origins() -> frozenset[str]:
    """Every registered site's origins, read at most every ORIGINS_CACHE_SECONDS: each visitor
    socket's handshake asks, and a handshake must not wait on the database (nor keep a session)."""
    global _origins_cache
    expires, origins = _origins_cache
    if time.monotonic() < expires:
        return origins
    with reading() as session:
        origins = frozenset(o for site in session.scalars(select(Site)) for o in site.allowed_origins)
    _origins_cache = (time.monotonic() + ORIGINS_CACHE_SECONDS, origins)
    return origins


def clear_origins_cache() -> None:
    global _origins_cache
    _origins_cache = (0.0, frozenset())
