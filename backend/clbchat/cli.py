"""`flask` commands: staff users, the sites that embed the button, purging transcripts, and the demo
that `make run` shows.

Every write goes through `unit_of_work()`: on SQLite the write lock is waited for there (the
connection's own busy timeout is 0, so a plain commit would fail at once while the service writes).

Workers keep a site's settings and the allowed origins for SITE_CACHE_SECONDS (widget_api/cors.py,
realtime/origins.py). A site change is published on SITES_CHANNEL after it is committed; every
process of the service listens there (`register`) and forgets its cached sites, so with Redis
(REDIS_URL set for the command as for the service) the change reaches every worker at once. A
service on in-process events (the embedded default) hears nothing from the command's process: there
the change takes effect within SITE_CACHE_SECONDS.
"""

import re
from urllib.parse import urlsplit

import click
from flask import current_app
from sqlalchemy import func, select

from .auth import hash_password
from .domain import retention, team
from .domain.channels import SITES_CHANNEL
from .domain.errors import DomainError
from .models import Clb, Conversation, Site, User
from .models.staff import DISCIPLINES, ROLES
from .unit_of_work import reading, unit_of_work
from .widget_api.cors import SITE_CACHE_SECONDS

DEMO_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]
# (username, display name, role, discipline, home CLB code)
DEMO_USERS = [("sofie", "Sofie", "counsellor", "psycho_pedagogue", "demo-noord"),
              ("jonas", "Jonas", "counsellor", "nurse", "demo-zuid"),
              ("coord", "Kim", "coordinator", "social_worker", "demo-noord")]
# Made-up CLBs for the demo only; a real deployment adds its CLBs with `flask add-clb`.
DEMO_CLBS = [("demo-noord", "Demo-CLB Noord", "Vrij CLB Netwerk"), ("demo-zuid", "Demo-CLB Zuid", "GO!")]
DEMO_PASSWORD = "demo-wachtwoord"

MIN_PASSWORD_LENGTH = 12
# Long enough, yet the first ones a password list tries (English and Dutch). Compared lower-cased.
COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "12345678901234", "123456789abc", "000000000000", "111111111111",
    "password1234", "password123!", "passwordpassword", "qwertyuiop12", "qwertyuiopasdf", "qwerty123456",
    "azertyuiop12", "azerty123456", "iloveyou1234", "letmein12345", "welcome12345", "welkom123456",
    "wachtwoord12", "wachtwoord123", "wachtwoord1234", "wachtwoord!!", "geheimwachtwoord",
    "clbchat12345", "clbchat123456", "changeme1234", "administrator", "adminadmin12",
})
SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
HOST_PATTERN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                          r"|\[[0-9a-f:.]+\]")
DEFAULT_PORTS = {"http": 80, "https": 443}
SITES_CHANGED = {"type": "sites_changed"}


def normalized_origin(value: str) -> str:
    """The origin as browsers send it (`scheme://host[:port]`, lower case, no default port), or
    click.BadParameter saying what is wrong with it."""
    hint = "write it as scheme://host[:port], e.g. https://www.school.be or http://localhost:8000"
    if "*" in value:
        raise click.BadParameter(f"{value!r}: wildcards are not allowed; list each origin ({hint})")
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not value.strip().lower().startswith(f"{scheme}://"):
        raise click.BadParameter(f"{value!r}: only http:// and https:// origins are allowed ({hint})")
    if parts.path or parts.query or parts.fragment or value.strip().endswith(("?", "#")):
        bare = f"{parts.scheme}://{parts.netloc}"
        raise click.BadParameter(f"{value!r}: an origin has no path, query or trailing slash (did you mean {bare}?)")
    if "@" in parts.netloc:
        raise click.BadParameter(f"{value!r}: an origin has no user name or password ({hint})")
    try:
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        raise click.BadParameter(f"{value!r}: not a valid host and port ({hint})") from None
    if ":" in host:  # urlsplit gives an IPv6 address without its brackets
        host = f"[{host}]"
    if not HOST_PATTERN.fullmatch(host):
        raise click.BadParameter(f"{value!r}: not a valid host name ({hint})")
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != DEFAULT_PORTS[scheme] else "")


def password_problem(password: str, username: str, display_name: str) -> str | None:
    """Why this password is too weak for a staff account, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return "that password is among the first ones an attacker tries; choose another"
    if username.lower() in lowered or (len(display_name) >= 3 and display_name.lower() in lowered):
        return "the password must not contain the user name or display name"
    return None


def upsert_user(username: str, display_name: str, role: str, password: str, max_chats: int | None = None,
                discipline: str = "other", home_clb: str | None = None) -> User:
    """Create or update a staff user (active); no password policy here (the tests' and demo's users).
    `home_clb` is a CLB's code (see add-clb)."""
    if role not in ROLES:
        raise click.BadParameter(f"role must be one of {', '.join(ROLES)}")
    if discipline not in DISCIPLINES:
        raise click.BadParameter(f"discipline must be one of {', '.join(DISCIPLINES)}")
    password_hash = hash_password(password)  # slow (scrypt): before the write lock is taken
    with unit_of_work() as (session, _):
        clb_id = None
        if home_clb is not None:
            clb_id = session.scalar(select(Clb.id).where(Clb.code == home_clb, Clb.active.is_(True)))
            if clb_id is None:
                _fail(f"no CLB with code {home_clb!r} (see list-clbs)")
        user = session.scalar(select(User).where(User.username == username)) or User(username=username)
        user.display_name = display_name
        user.role = role
        user.password_hash = password_hash
        user.max_chats = max_chats
        user.discipline = discipline
        user.home_clb_id = clb_id
        user.active = True
        session.add(user)
        session.flush()
        session.expunge(user)  # kept loaded for the caller after the unit of work drops its session
    return user


def upsert_site(slug: str, name: str, origins: list[str], hide_when_closed: bool = False) -> Site:
    with unit_of_work() as (session, outbox):
        site = session.scalar(select(Site).where(Site.slug == slug)) or Site(slug=slug)
        site.name = name
        site.allowed_origins = origins
        site.hide_when_closed = hide_when_closed
        session.add(site)
        session.flush()
        session.expunge(site)
        outbox.append((SITES_CHANNEL, SITES_CHANGED))
    return site


def _forget_cached_sites(_channel: str, _event: dict) -> None:
    from .widget_api.cors import clear_site_cache

    clear_site_cache()


def _fail(message: str) -> None:
    raise click.ClickException(message)


def register(app) -> None:
    # Also on a resync after a Redis outage (a change may have been missed meanwhile).
    app.extensions["clbchat.bus"].subscribe(SITES_CHANNEL, _forget_cached_sites)
    if app.config.get("REDIS_URL"):
        reach = "running workers use the change at once"
    else:
        reach = f"a running service without Redis uses the change within {SITE_CACHE_SECONDS} seconds"

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--display-name", required=True, help="The name visitors see, e.g. 'Sofie'.")
    @click.option("--role", type=click.Choice(ROLES), default="counsellor")
    @click.option("--max-chats", type=click.IntRange(min=1), default=None,
                  help="Chats open at once (default: MAX_CHATS_PER_COUNSELLOR).")
    @click.option("--discipline", type=click.Choice(DISCIPLINES), default="other", show_default=True,
                  help="Their background; nurse and doctor count as medically trained.")
    @click.option("--home-clb", metavar="CODE", default=None, help="The code of their CLB (see list-clbs).")
    @click.option("--update", is_flag=True, help="Change an existing user (name, role, password); also reactivates.")
    @click.password_option()
    def create_user(username, display_name, role, max_chats, discipline, home_clb, update, password):
        """Create a counsellor or coordinator (or change one, with --update)."""
        with reading() as session:
            exists = session.scalar(select(User.id).where(User.username == username)) is not None
        if exists and not update:
            _fail(f"user {username!r} already exists; add --update to change it")
        if not exists and update:
            _fail(f"no user {username!r} to update; leave out --update to create it")
        problem = password_problem(password, username, display_name)
        if problem:
            _fail(problem)
        upsert_user(username, display_name, role, password, max_chats, discipline, home_clb)
        click.echo(f"{role} {username!r} {'updated' if exists else 'created'}")

    @app.cli.command("add-clb")
    @click.argument("code")
    @click.option("--name", required=True, help="e.g. 'Vrij CLB Antwerpen'")
    @click.option("--network", default=None, help="Vrij CLB Netwerk, GO!, OVSG or POV")
    def add_clb(code, name, network):
        """Add a CLB whose staff may answer the chat (the report counts the CLBs taking part)."""
        try:
            with unit_of_work() as (session, _):
                team.add_clb(session, code, name, network)
        except DomainError as exc:
            _fail(exc.message)
        click.echo(f"CLB {code!r} added")

    @app.cli.command("list-clbs")
    def list_clbs():
        """The CLBs: code, name, network."""
        with reading() as session:
            rows = [(c.code, c.name, c.network or "-") for c in team.clbs(session)]
        _table(("code", "name", "network"), rows)

    @app.cli.command("list-users")
    def list_users():
        """Staff users: user name, display name, role, chats at once, active or not."""
        with reading() as session:
            users = session.scalars(select(User).order_by(User.username)).all()
            rows = [(u.username, u.display_name, u.role, u.discipline, u.home_clb.code if u.home_clb else "-",
                     str(u.max_chats or "-"), "active" if u.active else "deactivated") for u in users]
        _table(("username", "name", "role", "discipline", "home CLB", "max chats", "status"), rows)

    @app.cli.command("deactivate-user")
    @click.argument("username")
    def deactivate_user(username):
        """Stop a user from logging in (their history stays; `create-user --update` or activate-user undoes)."""
        open_chats = _set_active(username, False)
        click.echo(f"user {username!r} deactivated: they can no longer log in, and an open console is refused "
                   "when it reconnects")
        if open_chats:
            click.echo(f"note: {username!r} still has {open_chats} open chat(s); they go back to the queue when "
                       "the console is gone")

    @app.cli.command("activate-user")
    @click.argument("username")
    def activate_user(username):
        """Let a deactivated user log in again."""
        _set_active(username, True)
        click.echo(f"user {username!r} can log in again")

    @app.cli.command("add-site")
    @click.argument("slug")
    @click.option("--name", required=True)
    @click.option("--origin", "origins", multiple=True, required=True,
                  help="An origin allowed to embed the button, e.g. https://www.school.be (repeatable).")
    @click.option("--hide-when-closed", is_flag=True, help="Show no button outside opening hours.")
    def add_site(slug, name, origins, hide_when_closed):
        """Register (or update) a site that embeds the chat button."""
        if not SLUG_PATTERN.fullmatch(slug):
            _fail(f"{slug!r}: a site name (slug) is 1-40 lower-case letters, digits and hyphens, e.g. clb-gent")
        try:
            cleaned = [normalized_origin(origin) for origin in origins]
        except click.BadParameter as exc:
            _fail(f"--origin {exc.message}")
        upsert_site(slug, name, cleaned, hide_when_closed)
        click.echo(f"site {slug!r} saved with origins {', '.join(sorted(set(cleaned)))}; {reach}")

    @app.cli.command("list-sites")
    def list_sites():
        """Sites: slug, name, allowed origins, and whether the button hides when closed."""
        with reading() as session:
            rows = [(s.slug, s.name, " ".join(s.allowed_origins), "hidden" if s.hide_when_closed else "shown")
                    for s in session.scalars(select(Site).order_by(Site.slug))]
        _table(("slug", "name", "origins", "when closed"), rows)

    @app.cli.command("remove-site")
    @click.argument("slug")
    @click.option("--delete-history", is_flag=True,
                  help="Also delete the site's ended chats (they count in the reports); otherwise a site with "
                       "chats is kept.")
    def remove_site(slug, delete_history):
        """Remove a site: its button and hosted page stop working."""
        with unit_of_work() as (session, outbox):
            site = session.scalar(select(Site).where(Site.slug == slug))
            if site is None:
                _fail(f"no site {slug!r} (see list-sites)")
            counts = dict(session.execute(select(Conversation.status, func.count()).where(
                Conversation.site_id == site.id).group_by(Conversation.status)).all())
            going_on = counts.get("waiting", 0) + counts.get("active", 0)
            if going_on:
                _fail(f"site {slug!r} has {going_on} waiting or active chat(s); remove it when they have ended")
            ended = counts.get("ended", 0)
            if ended and not delete_history:
                _fail(f"site {slug!r} has {ended} ended chat(s), counted in the reports; add --delete-history "
                      "to delete them with the site")
            retention.delete_conversations(session, select(Conversation.id).where(Conversation.site_id == site.id))
            session.delete(site)
            outbox.append((SITES_CHANNEL, SITES_CHANGED))
        click.echo(f"site {slug!r} removed" + (f" with {ended} ended chat(s)" if ended else "") + f"; {reach}")

    @app.cli.command("purge-transcripts")
    def purge_transcripts_command():
        """Delete transcripts older than RETENTION_DAYS now (the service also does this hourly)."""
        from datetime import UTC, datetime, timedelta

        from .domain.retention import purge_transcripts

        days = current_app.config["RETENTION_DAYS"]
        with unit_of_work() as (session, _):
            count = purge_transcripts(session, timedelta(days=days), datetime.now(UTC))
        click.echo(f"stripped {count} conversations that ended more than {days} days ago")

    @app.cli.command("demo-setup")
    def demo_setup():
        """The demo sites and users `make run` needs (idempotent)."""
        upsert_site("demo", "Demo CLB", DEMO_ORIGINS)
        upsert_site("demo-hidden", "Demo CLB (verborgen buiten de openingsuren)", DEMO_ORIGINS, hide_when_closed=True)
        with unit_of_work() as (session, _):
            for code, name, network in DEMO_CLBS:
                if session.scalar(select(Clb.id).where(Clb.code == code)) is None:
                    team.add_clb(session, code, name, network)
        for username, display_name, role, discipline, home_clb in DEMO_USERS:
            upsert_user(username, display_name, role, DEMO_PASSWORD, discipline=discipline, home_clb=home_clb)
        click.echo(f"demo ready: console users {', '.join(u[0] for u in DEMO_USERS)} / {DEMO_PASSWORD}")
        click.echo(f"opening hours: {current_app.config['CHAT_HOURS']}")


def _set_active(username: str, active: bool) -> int:
    """Set the user's active flag; the number of chats they have open."""
    with unit_of_work() as (session, _):
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            _fail(f"no user {username!r} (see list-users)")
        user.active = active
        return session.scalar(select(func.count()).select_from(Conversation).where(
            Conversation.counsellor_id == user.id, Conversation.status == "active"))


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    if not rows:
        click.echo("(none)")
        return
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
