"""Console pages. Forms are CSRF-protected by Flask-WTF's CSRFProtect (app-wide)."""

from datetime import UTC, datetime
from types import SimpleNamespace

from flask import current_app, redirect, render_template, request, session, url_for

from ..auth import authenticate, current_user, login_required
from ..domain import requeue
from ..unit_of_work import reading, unit_of_work
from . import bp

# What happens to open chats on logout: the form's `open_chats` field.
END_CHATS, HAND_BACK = "end", "hand_back"


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        user = authenticate(request.form.get("username", "").strip(), request.form.get("password", ""))
        if user is not None:
            session.clear()
            session["user_id"] = user.id
            return redirect(url_for("console.index"))
        error = "Onbekende gebruikersnaam of verkeerd wachtwoord."
    return render_template("console/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """Log out; with open chats, first ask whether to end them or hand them back to the queue, so
    no pupil keeps writing to a counsellor who left."""
    user = current_user()
    if user is not None:
        user_id, choice = user.id, request.form.get("open_chats")
        with reading() as db_session:
            open_chats = len(requeue.active_chats_of(db_session, user_id))
        if open_chats and choice not in (END_CHATS, HAND_BACK):
            return render_template("console/logout.html", open_chats=open_chats)
        if open_chats:
            with unit_of_work() as (db_session, outbox):
                requeue.release_for_logout(db_session, user_id, choice == END_CHATS, datetime.now(UTC), outbox)
    session.clear()
    return redirect(url_for("console.login"))


@bp.get("/")
@login_required
def index():
    user = current_user()
    config = current_app.config
    view = SimpleNamespace(display_name=user.display_name, role=user.role,
                           max_chats=user.max_chats or config["MAX_CHATS_PER_COUNSELLOR"],
                           hint_minutes=config["DURATION_HINT_MINUTES"],
                           warning_minutes=config["DURATION_WARNING_MINUTES"])
    return render_template("console/index.html", user=view)
