"""Staff passwords and the login session.

Passwords are hashed with Werkzeug's scrypt (memory-hard, maintained with Flask itself); the session
cookie is HttpOnly and SameSite=Lax (config.py), and login forms carry a CSRF token (Flask-WTF).
"""

from functools import wraps

from flask import redirect, session, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import User

# Compared against when the user does not exist, so a wrong username costs as much as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == username))
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


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("console.login"))
        return view(*args, **kwargs)

    return wrapped
