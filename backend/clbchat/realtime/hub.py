"""The per-process hub: which visitors and consoles are connected here, and the loops that keep them
fresh (queue positions, heartbeats, and the sweep that ends conversations of visitors who are gone).

Queue changes are coalesced: however many arrive, each process reads the queue once per tick (one
query) and sends a visitor a frame only when their position or estimate changed, so a visitor
joining at the back costs the others nothing.

On a graceful stop or reload the worker calls `going_away` (backend/gunicorn.conf.py): every socket of
the process gets a close frame 1001, so its client reconnects at once (to any worker or host) instead
of hanging until the graceful timeout cuts it (docs/deploy.md).
"""

import logging
import threading
import time
import weakref
from datetime import UTC, datetime, timedelta

from ..domain import board, channels, conversations, coordination, handover, queue, requeue, retention
from ..unit_of_work import reading, unit_of_work
from . import console_team
from .connection import live_connections

log = logging.getLogger(__name__)
QUEUE_TICK_SECONDS = 0.1
QUEUE_REFRESH_SECONDS = 30  # estimates drift with time even when nothing happens
# The coordinators' overview (every active chat) at most this often: with 1,000 chats it is ~250 KB, and
# nearly every take or end changes it. A change in between is sent when this much time has passed.
OVERVIEW_EVERY_SECONDS = 1.0
YIELD_EVERY_SENDS = 100
PURGE_EVERY = timedelta(hours=1)
GOING_AWAY = 1001  # RFC 6455: the server is going down; the client should reconnect
GOING_AWAY_REASON = "De dienst herstart: verbind opnieuw."
_told_to_go: weakref.WeakSet = weakref.WeakSet()  # sockets whose close frame is on its way


class Hub:
    def __init__(self, app, bus):
        self.app = app
        self.bus = bus
        self._lock = threading.Lock()
        self._visitors: set = set()
        self._consoles: set = set()
        self._queue_dirty = threading.Event()
        self._started = False
        self._stopping = threading.Event()
        self._last_purge = datetime.min.replace(tzinfo=UTC)
        self._overview_sent_at = 0.0
        self._overview_owed = False
        bus.subscribe(channels.QUEUE_CHANNEL, self._on_queue_event)
        # Hand-overs, crisis marks and coordinators looking on change the coordinators' overview.
        bus.subscribe(channels.STAFF_CHANNEL, self._on_queue_event)

    # --- registry -------------------------------------------------------------------------
    def add_visitor(self, session) -> None:
        self._ensure_started()
        with self._lock:
            self._visitors.add(session)

    def remove_visitor(self, session) -> None:
        with self._lock:
            self._visitors.discard(session)

    def add_console(self, session) -> None:
        self._ensure_started()
        with self._lock:
            self._consoles.add(session)
        self.queue_changed()  # counsellors online changed: estimates change

    def remove_console(self, session) -> None:
        with self._lock:
            self._consoles.discard(session)

    def current_snapshot(self) -> queue.QueueSnapshot:
        with self.app.app_context(), reading() as session:
            return queue.snapshot(session, _now(), self.app.config["MAX_CHATS_PER_COUNSELLOR"])

    # --- loops ----------------------------------------------------------------------------
    def _ensure_started(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        for target in (self._queue_loop, self._housekeeping_loop):
            threading.Thread(target=target, name=f"clbchat-{target.__name__}", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
        self._queue_dirty.set()

    def _on_queue_event(self, _channel, _event) -> None:
        self._queue_dirty.set()  # "queue_changed" and "resync" alike: read the queue again

    def queue_changed(self) -> None:
        self._queue_dirty.set()

    def _queue_loop(self) -> None:
        while not self._stopping.is_set():
            self._queue_dirty.wait(timeout=OVERVIEW_EVERY_SECONDS if self._overview_owed else QUEUE_REFRESH_SECONDS)
            self._queue_dirty.clear()
            try:
                self.broadcast_queue()
            except Exception:
                log.exception("queue broadcast failed")
            time.sleep(QUEUE_TICK_SECONDS)

    def broadcast_queue(self) -> None:
        with self._lock:
            visitors = list(self._visitors)
            consoles = list(self._consoles)
        if not visitors and not consoles:
            return
        snapshot = self.current_snapshot()
        positions = snapshot.positions()
        for index, visitor in enumerate(visitors, 1):
            visitor.on_queue(positions, snapshot.rate)
            if index % YIELD_EVERY_SENDS == 0:
                # A send that does not block never yields: without this, 5,000 sends hold every
                # other socket of this worker (a counsellor's take, a message) for ~0.4 s.
                time.sleep(0)
        if not consoles:
            return
        coordinators = any(c.staff.role == "coordinator" for c in consoles)
        due = time.monotonic() - self._overview_sent_at >= OVERVIEW_EVERY_SECONDS
        self._overview_owed = coordinators and not due
        with self.app.app_context(), reading() as session:
            now = _now()
            colleagues = handover.colleagues_online(session, now, self.app.config["MAX_CHATS_PER_COUNSELLOR"])
            overview = coordination.overview(session, now) if coordinators and due else None
        # Encoded once for every coordinator's console, not once each.
        overview_text = console_team.overview_frame(overview) if overview is not None else None
        if overview_text is not None:
            self._overview_sent_at = time.monotonic()
        for console in consoles:
            console.on_queue(snapshot)
            console.on_colleagues(colleagues)
            if overview_text is not None:
                console.on_overview(overview_text)

    def _housekeeping_loop(self) -> None:
        interval = self.app.config["HEARTBEAT_SECONDS"]
        while not self._stopping.wait(interval):
            try:
                self.housekeeping()
            except Exception:
                log.exception("housekeeping failed")

    def housekeeping(self) -> None:
        """Heartbeat the connections held here, then end conversations of visitors gone too long and
        hand back the chats of counsellors gone too long."""
        with self._lock:
            visitor_ids = sorted({v.conversation_id for v in self._visitors if v.conversation_id})
            counsellor_ids = sorted({c.user_id for c in self._consoles})
        grace = timedelta(seconds=self.app.config["VISITOR_GRACE_SECONDS"])
        counsellor_grace = timedelta(seconds=self.app.config["COUNSELLOR_GRACE_SECONDS"])
        with self.app.app_context(), unit_of_work() as (session, outbox):
            now = _now()
            conversations.touch_visitors(session, visitor_ids, now)
            deactivated = conversations.touch_counsellors(session, counsellor_ids, now)
            ended = conversations.sweep_gone_visitors(session, grace, now, outbox)
            handed_back = requeue.sweep_absent_counsellors(session, counsellor_grace, now, outbox)
            handover.lapse_due(session, now, outbox)
            if now - self._last_purge >= PURGE_EVERY:
                retention.purge_transcripts(session, timedelta(days=self.app.config["RETENTION_DAYS"]), now)
                board.purge(session, now)
                self._last_purge = now
        if deactivated:
            with self._lock:
                closing = [c for c in self._consoles if c.user_id in deactivated]
            for console in closing:  # a deactivated account keeps no open console
                console.conn.close(1008, "account deactivated")
        if ended:
            log.info("ended %d conversations whose visitor stayed away past %s", len(ended), grace)
        if handed_back:
            log.info("%d chats back in the queue: their counsellor stayed away past %s", len(handed_back),
                     counsellor_grace)


def going_away() -> list[threading.Thread]:
    """Close every open socket of this process (visitor and console, hello said or not) with 1001, and
    return the threads doing it. Each close has its own thread: a peer that reads nothing blocks only
    its own close frame. A graceful stop calls this until the worker exits, so a socket accepted after
    the first call is told too; one already told is not told twice."""
    closing = []
    for conn in live_connections():
        if conn in _told_to_go:
            continue
        _told_to_go.add(conn)
        thread = threading.Thread(target=conn.close, args=(GOING_AWAY, GOING_AWAY_REASON), daemon=True,
                                  name="clbchat-going-away")
        thread.start()
        closing.append(thread)
    return closing


def _now() -> datetime:
    return datetime.now(UTC)
