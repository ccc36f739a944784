"""Site lookup and the Origin check for the widget's HTTP API."""

import time

from flask import jsonify, request
from sqlalchemy import select

from ..models import Site
from ..realtime.origins import clear_origins_cache, origin_allowed
from ..unit_of_work import reading
from .status import clear_status_cache

SITE_CACHE_SECONDS = 30
# Unknown names are cached too (a page with a typo asks on every view), so anyone can fill the cache
# with made-up names: past this many entries it starts again, which costs one query per real site.
SITE_CACHE_MAX = 2000
_site_cache: dict[str, tuple[float, dict | None]] = {}


def error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    return response


def site_info(slug: str) -> dict | None:
    """The site's settings, cached briefly: the status endpoint is hit on every page view."""
    now = time.monotonic()
    cached = _site_cache.get(slug)
    if cached and cached[0] > now:
        return cached[1]
    info = None
    with reading() as session:  # ended before the request's body is read from the network
        site = session.scalar(select(Site).where(Site.slug == slug))
        if site is not None:
            info = {"id": site.id, "slug": site.slug, "name": site.name, "hide_when_closed": site.hide_when_closed,
                    "allowed_origins": site.allowed_origins}
    if len(_site_cache) >= SITE_CACHE_MAX:
        _site_cache.clear()
    _site_cache[slug] = (now + SITE_CACHE_SECONDS, info)
    return info


def cached_site_info(slug: str) -> dict | None:
    """The site's settings if this process has them fresh (None when not cached or unknown), no query."""
    cached = _site_cache.get(slug)
    return cached[1] if cached and cached[0] > time.monotonic() else None


def clear_site_cache() -> None:
    """Forget cached site settings (and the status answers built from them) in this process."""
    _site_cache.clear()
    clear_status_cache()
    clear_origins_cache()


def check_site_and_origin(slug: str, require_origin: bool):
    """(site info, None) when allowed, else (None, error response)."""
    info = site_info(slug)
    if info is None:
        return None, error(404, "unknown_site", f"Onbekende site: {slug[:40]!r}.")
    origin = request.headers.get("Origin")
    if origin is None and not require_origin:
        return info, None
    if not origin_allowed(origin, info["allowed_origins"]):
        return None, error(403, "origin_not_allowed", "Deze website mag deze chat niet gebruiken.")
    return info, None


def allow_origin(response):
    origin = request.headers.get("Origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.vary.add("Origin")
    return response
