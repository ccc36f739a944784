"""Staff passwords and the login session.

Passwords are hashed with Werkzeug's scrypt (memory-hard, maintained with Flask itself); the session
cookie is HttpOnly and SameSite=Lax (config.py), and login forms carry a CSRF token (Flask-WTF).
"""

from functools import wraps

from flask import abort, g, jsonify, redirect, session, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import User

# Compared against when the user does not exist, so a wrong username costs as much as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def authenticate(username: str, password: str) -> User | None:
    # A name with NUL is no one's (PostgreSQL refuses NUL even in a comparison: that was a 503).
    user = None if "\x00" in username else db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def current_user() -> User | None:
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def requires(role: str | None = None, api: bool = False):
    """The one guard for staff pages and the console's JSON API: a logged-in, active user, with `role`
    when given (a coordinator may do all a counsellor may). The user is in `g.user`. Pages send a
    stranger to the login form; the API answers 401, and 403 for the wrong role."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                if api:
                    return _api_error(401, "login_required", "Meld je eerst aan.")
                return redirect(url_for("console.login"))
            if role is not None and user.role != role:
                if api:
                    return _api_error(403, "forbidden", "Dit mag alleen een coördinator.")
                abort(403)
            g.user = user
            return view(*args, **kwargs)

        return wrapped

    return decorate


login_required = requires()


def _api_error(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response
