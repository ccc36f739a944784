"""Gives the other connections a turn before every HTTP request on a gevent worker.

A greenlet only yields when a socket operation would block. A keep-alive client that sends its next
request at once (a busy proxy, a load test) therefore finds data waiting, never blocks, and is
served again and again while the other connections wait: with 64 such connections a bare WSGI app
on this stack had p50 0.2 ms but p99 1.6 s. Yielding once per request makes the loop round-robin
(docs/benchmarks.md, benchmark 1). The yield comes first, so the response body (a file wrapper for
sendfile, say) passes through untouched.

A function, not a class with __call__: calling an instance goes through a C slot, which adds a C
stack frame that every WebSocket greenlet then keeps for its lifetime (memory per idle visitor).
"""

import gevent


def fair_turns(wsgi_app):
    def take_turns(environ, start_response):
        gevent.sleep(0)
        return wsgi_app(environ, start_response)

    return take_turns
