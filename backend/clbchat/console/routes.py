"""Console pages. Forms are CSRF-protected by Flask-WTF's CSRFProtect (app-wide)."""

from types import SimpleNamespace

from flask import current_app, redirect, render_template, request, session, url_for

from ..auth import authenticate, current_user, login_required
from . import bp


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
    session.clear()
    return redirect(url_for("console.login"))


@bp.get("/")
@login_required
def index():
    user = current_user()
    view = SimpleNamespace(display_name=user.display_name, role=user.role,
                           max_chats=user.max_chats or current_app.config["MAX_CHATS_PER_COUNSELLOR"])
    return render_template("console/index.html", user=view)
