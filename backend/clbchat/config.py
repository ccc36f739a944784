"""Configuration from the environment, with the embedded defaults `make run` needs.

Every setting has one name, read once here. Production sets DATABASE_URL, REDIS_URL and SECRET_KEY;
see docs/deploy.md.
"""

import json
import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_HOURS = "Mo,Tu,Th 17:00-21:00; We 14:00-21:00; Dec 25-Jan 01 off; Jul 15-Aug 15 off; PH off"

DEFAULT_ALTERNATIVES = [
    {"name": "Awel", "contact": "102", "url": "https://www.awel.be"},
    {"name": "Zelfmoordlijn", "contact": "1813", "url": "https://www.zelfmoord1813.be"},
    {"name": "Tele-Onthaal", "contact": "106", "url": "https://www.tele-onthaal.be"},
    {"name": "Noodgeval", "contact": "112", "url": None},
]


def _int(env, name, default):
    return int(env.get(name, default))


def _days(env, name, default):
    """A number of days, at least one: a 0 would delete what was just written."""
    days = _int(env, name, default)
    if days < 1:
        raise ValueError(f"{name} must be at least 1 (days), not {days}")
    return days


def _secret_key(env, var_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/ (local runs only)."""
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    var_dir.mkdir(parents=True, exist_ok=True)
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def from_env(env=None) -> dict:
    env = os.environ if env is None else env
    var_dir = Path(env.get("CLBCHAT_VAR_DIR", REPO_ROOT / "var"))
    database_url = env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'clbchat.sqlite3'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        "SECRET_KEY": _secret_key(env, var_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": env.get("REDIS_URL") or None,
        # What this service's names in Redis start with (its event channel is `<prefix>:events`).
        # Pub/sub channels ignore the database number in REDIS_URL: services, or test runs, that
        # share a Redis server keep apart by using different prefixes.
        "REDIS_PREFIX": env.get("REDIS_PREFIX") or "clbchat",
        # Opening hours in OpenStreetMap opening_hours syntax; "24/7" opens the chat for trying it out.
        "CHAT_HOURS": env.get("CHAT_HOURS", DEFAULT_HOURS),
        "CHAT_TIMEZONE": env.get("CHAT_TIMEZONE", "Europe/Brussels"),
        "CHAT_COUNTRY": env.get("CHAT_COUNTRY", "BE"),
        "CHAT_ALTERNATIVES": json.loads(env["CHAT_ALTERNATIVES"])
        if env.get("CHAT_ALTERNATIVES")
        else DEFAULT_ALTERNATIVES,
        "QUEUE_MAX": _int(env, "QUEUE_MAX", 30),
        "MAX_CHATS_PER_COUNSELLOR": _int(env, "MAX_CHATS_PER_COUNSELLOR", 2),
        # The console's duration aid: a quiet hint after this many minutes of chat, a visible warning
        # (with a closing snippet) after the second; a chat marked as crisis shows neither.
        "DURATION_HINT_MINUTES": _int(env, "DURATION_HINT_MINUTES", 35),
        "DURATION_WARNING_MINUTES": _int(env, "DURATION_WARNING_MINUTES", 45),
        # A visitor whose connection is gone longer than this has left (the queue moves on).
        "VISITOR_GRACE_SECONDS": _int(env, "VISITOR_GRACE_SECONDS", 60),
        # A counsellor's console away this long (crash, closed lid): their chats go back to the queue.
        "COUNSELLOR_GRACE_SECONDS": _int(env, "COUNSELLOR_GRACE_SECONDS", 60),
        "HEARTBEAT_SECONDS": _int(env, "HEARTBEAT_SECONDS", 10),
        # A hand-over offer not accepted within this many seconds lapses: the chat stays with its counsellor.
        "HANDOVER_SECONDS": _int(env, "HANDOVER_SECONDS", 60),
        # Transcripts, nicknames and rating comments are deleted this long after a chat ends.
        "RETENTION_DAYS": _int(env, "RETENTION_DAYS", 30),
        # Notes on the staff's shared board (prikbord) are deleted this long after they were written.
        "BOARD_DAYS": _days(env, "BOARD_DAYS", 14),
        # Token bucket per WebSocket connection: a burst of N frames, refilled at R frames per second.
        "FLOOD_BURST": _int(env, "FLOOD_BURST", 20),
        "FLOOD_PER_SECOND": float(env.get("FLOOD_PER_SECOND", 4)),
        "WIDGET_DIR": env.get("WIDGET_DIR", str(REPO_ROOT / "widget")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        # max_message_size: schemas.FRAME_MAX (every valid frame in any JSON encoding; docs/protocol.md).
        "SOCK_SERVER_OPTIONS": {"ping_interval": 25, "max_message_size": 32 * 1024},
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
    }


def _engine_options(database_url: str) -> dict:
    if database_url.startswith("sqlite"):
        # Threads and greenlets share the file. Lock waits happen in sqlite_locking.py, where they
        # yield to other greenlets; SQLite's own busy handler (this timeout) would freeze the worker.
        return {"connect_args": {"timeout": 0, "check_same_thread": False}}
    return {"pool_size": 10, "max_overflow": 20, "pool_pre_ping": True}
