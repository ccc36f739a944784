"""The status answer a host page gets (opening hours, week, alternatives), computed once per site
and kept until it can change: the next opening or closing, midnight (the week moves on a day), or
RECOMPUTE_SECONDS (site settings may have changed), whichever comes first. Every page view with the button asks.
A coordinator's change to the opening hours clears it at once (`hours_changed`, live_schedule.py)."""

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.http import is_resource_modified

from ..schemas import StatusOut

_status_out = StatusOut()
RECOMPUTE_SECONDS = 30
MAX_AGE_SECONDS = 60


@dataclass(frozen=True)
class StatusBody:
    payload: bytes
    etag: str
    horizon: datetime  # when the answer changes at the latest (for Cache-Control)
    valid_until: datetime  # when this process computes it again


_cache: dict[str, StatusBody] = {}


def status_body(site: dict, schedule, alternatives: list, now: datetime) -> StatusBody:
    cached = _cache.get(site["slug"])
    if cached is not None and now < cached.valid_until:
        return cached
    hours = schedule.state(now)
    payload = json.dumps(_status_out.dump({
        "site": site, "open": hours.open, "next_change": hours.next_change,
        "next_open_text": hours.next_open_text(now),
        "week": [day.__dict__ for day in hours.week],
        "alternatives": alternatives,
    }), ensure_ascii=False, separators=(",", ":")).encode()
    local_now = now.astimezone(schedule.tz)
    midnight = datetime.combine(local_now.date() + timedelta(days=1), datetime.min.time(), schedule.tz)
    horizon = min(filter(None, [hours.next_change, midnight]))
    body = StatusBody(payload=payload, etag=hashlib.sha256(payload).hexdigest()[:20], horizon=horizon,
                      valid_until=min(horizon, now + timedelta(seconds=RECOMPUTE_SECONDS)))
    _cache[site["slug"]] = body
    return body


def cached_status_body(slug: str, now: datetime) -> StatusBody | None:
    """The answer kept for this site if it is still valid, without computing anything."""
    cached = _cache.get(slug)
    return cached if cached is not None and now < cached.valid_until else None


def status_answer(body: StatusBody, now: datetime, origin: str | None, environ: dict):
    """(HTTP status, headers, body bytes) for one request, 304 when the client's ETag matches."""
    # Caches may keep it, but never past the next flip (or midnight, when "week" moves on a day).
    max_age = max(0, min(MAX_AGE_SECONDS, math.floor((body.horizon - now).total_seconds())))
    headers = [("ETag", f'"{body.etag}"'), ("Cache-Control", f"public, max-age={max_age}"), ("Vary", "Origin")]
    if origin:
        headers.append(("Access-Control-Allow-Origin", origin))
    if not is_resource_modified(environ, etag=body.etag):
        return 304, headers, b""
    headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body.payload)))]
    return 200, headers, body.payload


def clear_status_cache() -> None:
    _cache.clear()
