"""The status answer a host page gets (opening hours, week, alternatives), computed once per site
and kept until it can change: the next opening or closing, midnight (the week moves on a day), or
RECOMPUTE_SECONDS (site settings may have changed), whichever comes first. Every page view with the button asks."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..schemas import StatusOut

_status_out = StatusOut()
RECOMPUTE_SECONDS = 30


@dataclass(frozen=True)
class StatusBody:
    payload: str
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
    }), ensure_ascii=False, separators=(",", ":"))
    local_now = now.astimezone(schedule.tz)
    midnight = datetime.combine(local_now.date() + timedelta(days=1), datetime.min.time(), schedule.tz)
    horizon = min(filter(None, [hours.next_change, midnight]))
    body = StatusBody(payload=payload, etag=hashlib.sha256(payload.encode()).hexdigest()[:20], horizon=horizon,
                      valid_until=min(horizon, now + timedelta(seconds=RECOMPUTE_SECONDS)))
    _cache[site["slug"]] = body
    return body


def clear_status_cache() -> None:
    _cache.clear()
