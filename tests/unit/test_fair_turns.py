"""The WSGI layer that makes a gevent worker take connections in turn (clbchat.fair_turns)."""

import gevent

from clbchat.fair_turns import fair_turns


def _serve(app, log, name, requests):
    for _ in range(requests):
        app({"who": name}, lambda status, headers: None)
        log.append(name)


def test_a_connection_that_never_blocks_does_not_keep_the_others_waiting():
    def app(environ, start_response):
        return [b"{}"]

    def run(wrapped):
        log = []
        gevent.joinall([gevent.spawn(_serve, wrapped, log, "busy", 5), gevent.spawn(_serve, wrapped, log, "quiet", 1)])
        return log

    # Without the layer nothing yields, so the quiet connection waits until all five are done.
    assert run(app) == ["busy"] * 5 + ["quiet"]
    assert run(fair_turns(app)).index("quiet") <= 1


def test_the_response_passes_through_unchanged():
    body = iter([b"a", b"b"])
    seen = []
    wrapped = fair_turns(lambda environ, start_response: start_response("200 OK", []) or body)
    assert wrapped({}, lambda status, headers: seen.append(status)) is body and seen == ["200 OK"]
