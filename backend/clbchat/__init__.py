"""CLB chat service: the Flask app factory.

Areas, one package each: `widget_api` (what host pages call), `realtime` (WebSockets), `console`
(counsellor pages), `domain` (the rules, no web code), `events` (fan-out between processes).
"""

import logging
from pathlib import Path

from flask import Flask, jsonify, request
from sqlalchemy import text

from . import config, sqlite_locking
from .domain.channels import HOURS_CHANNEL
from .domain.opening_days import HoursConfig
from .events import make_bus
from .expiring_store import make_store
from .extensions import csrf, db, migrate, sock
from .live_schedule import LiveSchedule
from .unit_of_work import reading

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config.from_env())
    if overrides:
        app.config.update(overrides)
        if "SQLALCHEMY_DATABASE_URI" in overrides and "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config._engine_options(overrides["SQLALCHEMY_DATABASE_URI"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    # An invalid CHAT_HOURS stops the app here, with the opening-hours library's own message.
    schedule = LiveSchedule(HoursConfig.from_config(app.config))
    app.extensions["clbchat.schedule"] = schedule
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sqlite_locking.install(db.engine)

    bus = make_bus(app.config)
    app.extensions["clbchat.bus"] = bus
    _follow_schedule_changes(bus, schedule)
    # Memory only, never the database: e.g. the markers of blocked browser sessions (domain/blocks.py).
    app.extensions["clbchat.store"] = make_store(app.config)
    from .realtime.hub import Hub

    app.extensions["clbchat.hub"] = Hub(app, bus)

    from .console import bp as console_bp
    from .realtime import bp as realtime_bp
    from .widget_api import bp as widget_bp

    # The widget API is cross-origin JSON without cookies (Origin-checked); sockets check Origin too.
    csrf.exempt(widget_bp)
    csrf.exempt(realtime_bp)
    app.register_blueprint(widget_bp)
    app.register_blueprint(realtime_bp)
    app.register_blueprint(console_bp)
    sock.init_app(app)

    from . import cli

    cli.register(app)
    _register_health(app)
    _register_pages(app)
    _register_errors(app)
    from .widget_api.status_fast_path import status_fast_path

    app.wsgi_app = status_fast_path(app.wsgi_app)
    _adapt_to_gevent(app)
    return app


def _follow_schedule_changes(bus, schedule) -> None:
    """A coordinator changed the opening hours (or the bus lost events): this process forgets its
    schedule and the status answers built from it (live_schedule.py)."""
    from .widget_api.status import clear_status_cache

    def forget(_channel, _event):
        schedule.forget()
        clear_status_cache()

    bus.subscribe(HOURS_CHANNEL, forget)


def _adapt_to_gevent(app) -> None:
    """On a gevent worker (gunicorn patches the socket module before it loads the app): take turns
    between keep-alive connections, and wait for socket data without a selector per socket."""
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        return
    from .fair_turns import fair_turns
    from .realtime.socket_wait import OneSocketSelector

    app.wsgi_app = fair_turns(app.wsgi_app)
    app.config["SOCK_SERVER_OPTIONS"] = {**app.config["SOCK_SERVER_OPTIONS"], "selector_class": OneSocketSelector}


def _register_health(app) -> None:
    @app.get("/healthz")
    def health():
        bus_ok = app.extensions["clbchat.bus"].healthy()
        try:
            with reading() as session:
                session.execute(text("SELECT 1"))
            db_ok = True
        except Exception:
            db_ok = False
        ok = bus_ok and db_ok
        return jsonify({"status": "ok" if ok else "degraded", "database": db_ok, "events": bus_ok}), (
            200 if ok else 503)


# Addresses that programs call: their errors stay JSON. Everything else is seen by people and gets a
# Dutch page.
JSON_PATHS = ("/api/", "/console/api/", "/ws/", "/healthz")

ERROR_TEXTS = {  # status: (title, paragraphs)
    400: ("Dat lukte niet", ["De aanvraag was niet in orde. Laad de pagina opnieuw en probeer het nog eens."]),
    403: ("Geen toegang", ["Je hebt geen toegang tot deze pagina."]),
    404: ("Pagina niet gevonden", ["Deze pagina bestaat niet (meer). Controleer het adres of ga naar de startpagina."]),
    405: ("Dat kan hier niet", ["Deze pagina werkt niet zo. Ga terug en probeer het opnieuw."]),
    429: ("Even geduld", ["Er kwamen te veel aanvragen na elkaar. Wacht even en probeer het opnieuw."]),
    503: ("De chat is even niet bereikbaar", ["Probeer het over een paar minuten opnieuw."]),
}
GENERIC_ERROR = ("Er ging iets mis", ["Probeer het over een paar minuten opnieuw."])
UNKNOWN_CHAT = ("Deze chat bestaat niet", [
    "Op dit adres is geen chat. Misschien is de link oud of verkeerd overgetypt.",
    "Je vindt de chatknop van het CLB op de website van je school of je CLB."])
CSRF_EXPIRED = ("Je formulier is verlopen", ["Laad de pagina opnieuw en probeer het nog eens."])


def _wants_json() -> bool:
    return request.path.startswith(JSON_PATHS)


def _service_page(status: int, title: str, text: list[str], links: list[tuple[str, str]] | None = None):
    """The Dutch page for people, with the alternatives for anyone outside the console (a pupil may
    be looking for help)."""
    from flask import current_app, render_template, url_for

    staff = request.path.startswith("/console")
    if links is None:
        links = [("Naar de console", url_for("console.index"))] if staff else [("Naar de startpagina", url_for("home"))]
    body = render_template("service_page.html", status=status, title=title, text=text, links=links,
                           alternatives=None if staff else current_app.config["CHAT_ALTERNATIVES"])
    return body, status, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


def _register_pages(app) -> None:
    @app.get("/")
    def home():
        """What the service is, for whoever opens its address: a pupil looking for the chat, or staff."""
        from flask import url_for

        body, _, headers = _service_page(200, "Anoniem chatten met het CLB", [
            "Hier draait de chat van het CLB: leerlingen en ouders chatten anoniem met een medewerker van het "
            "CLB (centrum voor leerlingenbegeleiding).",
            "Wil je chatten? Gebruik de chatknop op de website van je school of je CLB."],
            links=[("Aanmelden voor medewerkers (console)", url_for("console.index"))])
        headers["Cache-Control"] = "public, max-age=300"
        return body, 200, headers


def _register_errors(app) -> None:
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import SQLAlchemyError
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc):
        app.logger.exception("database error")
        db.session.rollback()
        if not _wants_json():
            return _service_page(503, *ERROR_TEXTS[503])
        response = jsonify({"error": {"code": "unavailable", "message": "De chat is even niet bereikbaar. "
                                      "Probeer het zo opnieuw."}})
        response.status_code = 503
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if _wants_json():
            response = jsonify({"error": {"code": exc.name.lower().replace(" ", "_"), "message": exc.description}})
            response.status_code = exc.code
            return response
        if exc.code is None or exc.code < 400:
            return exc
        if isinstance(exc, CSRFError):
            texts = CSRF_EXPIRED
        elif exc.code == 404 and request.endpoint == "widget_api.hosted_chat":
            texts = UNKNOWN_CHAT
        else:
            texts = ERROR_TEXTS.get(exc.code, GENERIC_ERROR)
        body, status, headers = _service_page(exc.code, *texts)
        # Keep what the status needs besides the body, e.g. Allow on a 405.
        headers.update((k, v) for k, v in exc.get_headers(request.environ) if k.lower() != "content-type")
        return body, status, headers
