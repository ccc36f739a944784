"""A burst of chat requests waits for its turn without taking the database connections that sockets
and pages need: with a pool of two connections, 200 simultaneous requests and a visitor socket opened in
the middle of them all get answers, and exactly QUEUE_MAX are admitted."""

import threading

import pytest
import requests

from ..clients import Visitor
from ..conftest import BACKEND, SITE_ORIGIN

QUEUE_MAX = 10
BURST = 200


@pytest.fixture
def app_config(app_config):
    if BACKEND == "scaleout":  # a tiny pool, so waiting admissions holding connections would starve the rest
        app_config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 2, "max_overflow": 0, "pool_timeout": 0.5,
                                                   "pool_pre_ping": True}
    app_config["QUEUE_MAX"] = QUEUE_MAX
    return app_config


def test_a_burst_of_requests_leaves_connections_for_everyone_else(app, live):
    waiting = Visitor(live)
    assert waiting.request("Eerst").status_code == 201
    answers, start = [], threading.Barrier(BURST)

    def ask(index):
        start.wait()
        answers.append(requests.post(f"{live.url}/api/sites/school/conversations", timeout=30,
                                     json={"nickname": f"V{index}"}, headers={"Origin": SITE_ORIGIN}).status_code)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(BURST)]
    for thread in threads:
        thread.start()
    state = waiting.connect()  # a socket that needs the database while the burst is under way
    for thread in threads:
        thread.join(60)

    assert state["status"] == "waiting"
    assert sorted(set(answers)) == [201, 409] and answers.count(201) == QUEUE_MAX - 1, answers
