"""gunicorn settings for the chat service (`make run` and production alike; see docs/deploy.md).

gevent workers: each WebSocket is a greenlet, so one worker holds thousands of mostly idle sockets
(49 KB RSS per idle visitor, docs/benchmarks.md). gunicorn's gevent worker held an idle visitor in
about 5 KB less than gevent's pywsgi flavour (`WORKER_CLASS=gevent_pywsgi`), at the same request
rate. The app is `clbchat.wsgi:application`, named on the command line (Makefile, docs/deploy.md).
"""

import os
import socket

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_class = os.environ.get("WORKER_CLASS", "gevent")
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
# Sockets live for hours; the worker heartbeat (not the request) is what the timeout watches.
timeout = 30
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "10"))
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG") or None  # off by default: no visitor request lines on disk
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No shared control socket in $HOME: several masters may run on one machine (one per host port).
control_socket_disable = True


def when_ready(server):
    """Small frames go out at once (no Nagle): accepted sockets inherit this from the listener."""
    for listener in server.LISTENERS:
        listener.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
