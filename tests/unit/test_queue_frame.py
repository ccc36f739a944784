"""The `queue` frame a waiting visitor gets, built without a schema for speed, still says what
docs/protocol.md promises."""

import json

from clbchat.realtime.visitor import queue_frame


def test_queue_frame_is_the_documented_json():
    assert json.loads(queue_frame(3, 240)) == {"type": "queue", "position": 3, "estimate_seconds": 240}
    assert json.loads(queue_frame(1, None)) == {"type": "queue", "position": 1, "estimate_seconds": None}
