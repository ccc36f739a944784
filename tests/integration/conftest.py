"""Fixtures shared by the integration tests."""

import pytest

from ..clients import open_chat


@pytest.fixture
def chat(live):
    """Mila in an active chat with Sofie: (visitor, counsellor, conversation id)."""
    return open_chat(live)
