"""Fixtures shared by the integration tests."""

import pytest

from ..clients import Counsellor, Visitor


@pytest.fixture
def chat(live):
    """Mila in an active chat with Sofie: (visitor, counsellor, conversation id)."""
    mila = Visitor(live)
    mila.start()
    sofie = Counsellor(live)
    sofie.connect()
    conversation = sofie.take()
    mila.socket.expect("state", status="active")
    return mila, sofie, conversation["id"]
