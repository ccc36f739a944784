"""Gives the other connections a turn before every HTTP request on a gevent worker.

A greenlet only yields when a socket operation would block. A keep-alive client that sends its next
request at once (a busy proxy, a load test) therefore finds data waiting, never blocks, and is
served again and again while the other connections wait: with 64 such connections a bare WSGI app
on this stack had p50 0.2 ms but p99 1.6 s. Yielding once per request makes the loop round-robin
(docs/benchmarks.md, benchmark 1). The yield comes first, so the response body (a file wrapper for
sendfile, say) passes through untouched.
"""

import gevent


class FairTurns:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        gevent.sleep(0)
        return self.wsgi_app(environ, start_response)
