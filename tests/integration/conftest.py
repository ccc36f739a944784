"""Fixtures shared by the integration tests."""

import pytest

from clbchat.cli import upsert_user
from clbchat.extensions import db

from ..clients import Counsellor, open_chat
from ..conftest import PASSWORD


@pytest.fixture
def chat(live):
    """Mila in an active chat with Sofie: (visitor, counsellor, conversation id)."""
    return open_chat(live)


@pytest.fixture
def coordinator(app, live):
    """The coordinator's console HTTP session with the CSRF header (the console API's tests)."""
    from .test_registration_api import Staff

    with app.app_context():
        upsert_user("coord", "Coördinator", "coordinator", PASSWORD)
        db.session.remove()
    return Staff(Counsellor(live, "coord"))
