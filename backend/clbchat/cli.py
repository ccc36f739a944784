"""`flask` commands: create users and sites, and set up the demo that `make run` shows."""

import click
from flask import current_app
from sqlalchemy import select

from .auth import ROLES, hash_password
from .extensions import db
from .models import Site, User

DEMO_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]
DEMO_USERS = [("sofie", "Sofie", "counsellor"), ("jonas", "Jonas", "counsellor"), ("coord", "Kim", "coordinator")]
DEMO_PASSWORD = "demo-wachtwoord"


def upsert_user(username: str, display_name: str, role: str, password: str, max_chats: int | None = None) -> User:
    if role not in ROLES:
        raise click.BadParameter(f"role must be one of {', '.join(ROLES)}")
    user = db.session.scalar(select(User).where(User.username == username)) or User(username=username)
    user.display_name = display_name
    user.role = role
    user.password_hash = hash_password(password)
    user.max_chats = max_chats
    user.active = True
    db.session.add(user)
    db.session.commit()
    return user


def upsert_site(slug: str, name: str, origins: list[str], hide_when_closed: bool = False) -> Site:
    site = db.session.scalar(select(Site).where(Site.slug == slug)) or Site(slug=slug)
    site.name = name
    site.allowed_origins = origins
    site.hide_when_closed = hide_when_closed
    db.session.add(site)
    db.session.commit()
    return site


def register(app) -> None:
    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--display-name", required=True, help="The name visitors see, e.g. 'Sofie'.")
    @click.option("--role", type=click.Choice(ROLES), default="counsellor")
    @click.option("--max-chats", type=int, default=None, help="Chats open at once (default: MAX_CHATS_PER_COUNSELLOR).")
    @click.password_option()
    def create_user(username, display_name, role, max_chats, password):
        """Create (or update) a counsellor or coordinator."""
        upsert_user(username, display_name, role, password, max_chats)
        click.echo(f"{role} {username!r} saved")

    @app.cli.command("add-site")
    @click.argument("slug")
    @click.option("--name", required=True)
    @click.option("--origin", "origins", multiple=True, required=True,
                  help="An origin allowed to embed the button, e.g. https://www.school.be (repeatable).")
    @click.option("--hide-when-closed", is_flag=True, help="Show no button outside opening hours.")
    def add_site(slug, name, origins, hide_when_closed):
        """Register (or update) a site that embeds the chat button."""
        upsert_site(slug, name, list(origins), hide_when_closed)
        click.echo(f"site {slug!r} saved with origins {', '.join(origins)}")

    @app.cli.command("purge-transcripts")
    def purge_transcripts_command():
        """Delete transcripts older than RETENTION_DAYS now (the service also does this hourly)."""
        from datetime import UTC, datetime, timedelta

        from .domain.retention import purge_transcripts

        days = current_app.config["RETENTION_DAYS"]
        count = purge_transcripts(db.session, timedelta(days=days), datetime.now(UTC))
        db.session.commit()
        click.echo(f"stripped {count} conversations that ended more than {days} days ago")

    @app.cli.command("demo-setup")
    def demo_setup():
        """The demo sites and users `make run` needs (idempotent)."""
        upsert_site("demo", "Demo CLB", DEMO_ORIGINS)
        upsert_site("demo-hidden", "Demo CLB (verborgen buiten de openingsuren)", DEMO_ORIGINS, hide_when_closed=True)
        for username, display_name, role in DEMO_USERS:
            upsert_user(username, display_name, role, DEMO_PASSWORD)
        click.echo(f"demo ready: console users {', '.join(u for u, _, _ in DEMO_USERS)} / {DEMO_PASSWORD}")
        click.echo(f"opening hours: {current_app.config['CHAT_HOURS']}")
