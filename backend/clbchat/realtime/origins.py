"""Which browser origins may use a site's chat: the site's own list, plus the service itself (the
hosted page at /chat/<slug>)."""

from flask import request
from sqlalchemy import select

from ..extensions import db
from ..models import Site


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
    # Sites are few (one per CLB, school or partner), so scanning them at handshake time is cheap.
    return any(origin in site.allowed_origins for site in db.session.scalars(select(Site)))
