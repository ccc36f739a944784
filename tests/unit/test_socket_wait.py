"""The selector simple-websocket's reader uses on a gevent worker (clbchat.realtime.socket_wait)."""

import selectors

from gevent import socket

from clbchat.realtime.socket_wait import OneSocketSelector


def test_select_says_readable_when_data_waits_and_nothing_on_timeout():
    server_side, client_side = socket.socketpair()
    try:
        selector = OneSocketSelector()
        key = selector.register(server_side, selectors.EVENT_READ, True)
        assert key.fd == server_side.fileno() and key.data is True
        assert not selector.select(0.05)  # nothing sent yet: the reader pings instead
        client_side.sendall(b"frame")
        assert selector.select(1) == [(key, selectors.EVENT_READ)]
        assert server_side.recv(16) == b"frame"
        assert not selector.select(0.05)  # read, so waiting again
        selector.close()
    finally:
        server_side.close()
        client_side.close()
