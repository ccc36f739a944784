"""The Flask extensions, created unbound so every module can import them (app factory pattern)."""

from flask_migrate import Migrate
from flask_sock import Sock
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

db = SQLAlchemy()
migrate = Migrate()
sock = Sock()
csrf = CSRFProtect()
