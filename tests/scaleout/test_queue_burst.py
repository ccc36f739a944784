"""QUEUE_MAX is exact under a burst: 300 chat requests at the same instant, split over two hosts on
one PostgreSQL, give exactly QUEUE_MAX places; every other request is turned away with the
alternatives (and recorded as turned away)."""

import threading

import psycopg
import pytest
import requests

from clbchat.config import DEFAULT_ALTERNATIVES

from ..conftest import PG_URL, SITE_ORIGIN
from .conftest import started_hosts

QUEUE_MAX = 30
REQUESTS = 300


@pytest.fixture
def busy_hosts(service_env, tmp_path):
    with started_hosts({**service_env, "QUEUE_MAX": str(QUEUE_MAX)}, tmp_path) as started:
        yield started


def ask_all_at_once(hosts, count: int) -> list[requests.Response]:
    """`count` requests from as many threads, released together, alternating between the hosts."""
    answers: list = [None] * count
    start = threading.Barrier(count)

    def ask(i: int) -> None:
        url = f"{hosts[i % len(hosts)].url}/api/sites/school/conversations"
        with requests.Session() as http:
            http.get(url.rsplit("/", 1)[0] + "/status", timeout=30)  # connected before the start line
            start.wait(timeout=60)
            answers[i] = http.post(url, json={"nickname": f"Bezoeker{i:03d}", "visitor_role": "pupil"},
                                   headers={"Origin": SITE_ORIGIN}, timeout=60)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_burst_of_300_requests_over_two_hosts_admits_exactly_queue_max(busy_hosts):
    answers = ask_all_at_once(busy_hosts, REQUESTS)

    admitted = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert len(admitted) == QUEUE_MAX
    assert {a.status_code for a in refused} == {409}
    for answer in refused:
        error = answer.json()["error"]
        assert error["code"] == "queue_full"
        assert error["alternatives"] == DEFAULT_ALTERNATIVES
    with psycopg.connect(PG_URL) as connection:
        counts = dict(connection.execute(
            "SELECT coalesce(outcome, status), count(*) FROM conversations GROUP BY 1").fetchall())
    assert counts == {"waiting": QUEUE_MAX, "turned_away": REQUESTS - QUEUE_MAX}
    # Each admitted visitor holds a distinct place.
    assert len({a.json()["conversation_id"] for a in admitted}) == QUEUE_MAX
