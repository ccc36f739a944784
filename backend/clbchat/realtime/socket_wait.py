"""How a WebSocket's reader waits for data between server pings, on a gevent worker.

simple-websocket's reader thread waits on a selector for its one socket, so that it can send a ping
every `ping_interval` seconds and close a peer that did not answer the previous one. gevent's
default selector keeps per-instance poll structures for that one socket (about 4 KB per idle
visitor, measured with tracemalloc). `gevent.socket.wait_read` does the same wait with nothing kept
between waits. Only `register`, `select` (truthy when readable, falsy on timeout) and `close` are
used by simple-websocket.
"""

import selectors

from gevent.socket import wait_read


class OneSocketSelector:
    def __init__(self):
        self._key = None

    def register(self, fileobj, events, data=None):
        self._key = selectors.SelectorKey(fileobj, fileobj.fileno(), events, data)
        return self._key

    def select(self, timeout=None):
        try:
            wait_read(self._key.fd, timeout, TimeoutError)
        except TimeoutError:
            return []
        return [(self._key, selectors.EVENT_READ)]

    def close(self):
        self._key = None
