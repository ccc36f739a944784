"""gunicorn settings for the chat service (`make run` and production alike; see docs/deploy.md).

gevent workers: each WebSocket is a greenlet, so one worker holds thousands of mostly idle sockets
(49 KB RSS per idle visitor, docs/benchmarks.md). gunicorn's gevent worker held an idle visitor in
about 5 KB less than gevent's pywsgi flavour (`WORKER_CLASS=gevent_pywsgi`), at the same request
rate. The app is `clbchat.wsgi:application`, named on the command line (Makefile, docs/deploy.md).

Also owned here, because gunicorn runs them:
- a graceful stop or reload closes every WebSocket with 1001 "going away" at once, so clients
  reconnect to another worker or host instead of hanging until the graceful timeout cuts them;
- connections still open at the graceful timeout end without error-level tracebacks (the gevent
  worker class below);
- no IP address in any log line (docs/privacy.md): every record of every logger in the master and
  the workers, gunicorn's `Invalid request from ip=...` included, has its addresses replaced.
"""

import ipaddress
import logging
import os
import re
import signal
import socket
import threading
import time

bind = os.environ.get("BIND", "127.0.0.1:5000").split(",")  # e.g. "0.0.0.0:5000,[::]:5000"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_class = os.environ.get("WORKER_CLASS", "gevent")  # "gevent" is the class below
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
# Sockets live for hours; the worker heartbeat (not the request) is what the timeout watches.
timeout = 30
# Sockets are closed with 1001 at the start of a graceful stop; this bounds the wait for the rest
# (a request in progress, a peer that never answers the close).
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "10"))
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG") or None  # off by default: no visitor request lines on disk
# For debugging only: no address, user agent, referrer or query string (docs/privacy.md).
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No shared control socket in $HOME: several masters may run on one machine (one per host port).
control_socket_disable = True


def when_ready(server):
    """Small frames go out at once (no Nagle): accepted sockets inherit this from the listener."""
    for listener in server.LISTENERS:
        listener.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


# --- graceful stop: every socket hears 1001 ------------------------------------------------------
GOING_AWAY_EVERY_SECONDS = 0.5  # until the worker exits: sockets accepted after the signal hear it too
STOP_ACCEPTING_WAIT_SECONDS = 2  # gunicorn closes a worker's listeners within a second of the signal


def post_worker_init(worker):
    """SIGTERM (a graceful stop, and the old workers' end in a reload by SIGHUP) only stops the
    accepting in gunicorn: add the goodbye to every socket. Installed after gunicorn's own handler."""
    gunicorn_handler = signal.getsignal(signal.SIGTERM)
    started = threading.Event()

    def on_sigterm(sig, frame):
        gunicorn_handler(sig, frame)
        if not started.is_set():
            started.set()
            _in_background(lambda: _going_away_until_exit(worker))

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn has it: no EINTR in the middle of a send


def worker_int(worker):
    """SIGINT or SIGQUIT (a quick stop, Ctrl-C): the worker exits right after this, so wait (briefly)
    until the close frames are out."""
    from clbchat.realtime.hub import going_away

    deadline = time.monotonic() + 1
    for thread in going_away():
        thread.join(max(0, deadline - time.monotonic()))


def _going_away_until_exit(worker):
    """Once this worker accepts no more (so no client told to reconnect lands here again, as one
    would in a reload, where the new workers share the listener), tell every socket, and again every
    half second for any accepted in between."""
    from clbchat.realtime.hub import going_away

    deadline = time.monotonic() + STOP_ACCEPTING_WAIT_SECONDS
    while time.monotonic() < deadline and any(listener.fileno() != -1 for listener in worker.sockets):
        time.sleep(0.05)
    while True:
        going_away()
        time.sleep(GOING_AWAY_EVERY_SECONDS)


def _gevent_worker_class():
    """gunicorn's gevent worker, except for connections still open at the graceful timeout (a peer
    that never answered, an idle keep-alive connection), which gunicorn kills:
    - a killed request: gunicorn swallows the GreenletExit and reads the next keep-alive request from
      the connection, which for a WebSocket simple-websocket has already closed (an error-level EBADF
      traceback per socket). Here the connection simply ends.
    - a killed wait for the next request: gunicorn logs it as an error with its traceback and answers
      500 to a client that asked nothing. Here the connection simply ends."""
    import gevent
    from gunicorn.workers.base_async import AsyncWorker
    from gunicorn.workers.ggevent import GeventWorker

    class ClbchatGeventWorker(GeventWorker):
        def handle_request(self, listener_name, req, sock, addr):
            try:
                return AsyncWorker.handle_request(self, listener_name, req, sock, addr)
            except (gevent.GreenletExit, SystemExit):
                raise StopIteration() from None  # gunicorn's way to say: this connection is done

        def handle_error(self, req, client, addr, exc):
            if isinstance(exc, gevent.GreenletExit):
                self.log.debug("Connection ended by the graceful timeout")
                return
            super().handle_error(req, client, addr, exc)

    return ClbchatGeventWorker


if worker_class == "gevent":
    worker_class = _gevent_worker_class()


def _in_background(target):
    """Run `target` outside the signal handler: on gevent a greenlet (blocking in a signal handler
    would block the hub, as gunicorn's own quit handler avoids), elsewhere a thread."""
    try:
        from gevent import monkey
    except ImportError:
        monkey = None
    if monkey is not None and monkey.is_module_patched("socket"):
        import gevent

        gevent.spawn(target)
    else:
        threading.Thread(target=target, daemon=True, name="clbchat-going-away").start()


# --- no IP address in any log line -----------------------------------------------------------------
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\d)")
# Runs of hex digits, colons and dots with two colons or more; ipaddress decides which are IPv6
# (so times such as 13:05:22 stay).
_IPV6_CANDIDATE = re.compile(r"[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*")
REDACTED = "[ip]"


def ip_free(text: str) -> str:
    """`text` with every IPv4 and IPv6 address replaced by [ip]."""
    if ":" in text:
        text = _IPV6_CANDIDATE.sub(_redact_ipv6, text)
    return _IPV4.sub(REDACTED, text)


def _redact_ipv6(match: re.Match) -> str:
    run = match.group()
    core = run.rstrip(":.")  # "ip=::1: Invalid ..." and "from ::1." end the address with punctuation
    try:
        ipaddress.IPv6Address(core)
    except ValueError:
        return run
    return REDACTED + run[len(core):]


class IpFreeRecord(logging.LogRecord):
    """A log record whose message and traceback carry no IP address, whatever handler, formatter or
    logger (gunicorn's error and access logs, the app's, a library's) writes it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.exc_info and self.exc_info[0] is not None:
            # Formatters reuse exc_text when it is set: the traceback is rendered (and cleaned) here.
            self.exc_text = ip_free(logging.Formatter().formatException(self.exc_info))
        if self.stack_info:
            self.stack_info = ip_free(self.stack_info)

    def getMessage(self) -> str:
        return ip_free(super().getMessage())


# This file is read by the master before it forks: the master and every worker make IP-free records.
logging.setLogRecordFactory(IpFreeRecord)
