"""Benchmark 6: surge drill. 10,000 visitors arrive over 10 minutes, compressed x20 into 30 s, with
6 counsellors and the busy rule on (QUEUE_MAX=30); does the service stay responsive and count right?

How: the service on PostgreSQL, one gevent worker, QUEUE_MAX=30, MAX_CHATS_PER_COUNSELLOR=2.
Arrivals are a Poisson process (seeded) of 10,000 chat requests over 600 s / factor. A visitor who
gets 201 opens /ws/visitor, waits with a patience of 2-10 min (compressed), then leaves the queue;
a visitor who is picked up replies to each counsellor message, and half of them rate the chat after
it ended. A 409 queue_full is counted as turned away (its `alternatives` are checked). Six scripted
counsellors each keep taking up to their limit; a chat is 3 counsellor messages, each answered by
the visitor, 0.5 s apart (compressed), then the counsellor ends it. When the arrivals are over, the
chats in progress finish and whoever still waits leaves (bounded at 60 s).
Meanwhile a separate process (`python -m bench.surge probe URL SECONDS`) GETs the status endpoint
every 100 ms and records its latency. Afterwards the answered share from the drill's own count
(successful takes / requests) is compared with the database's (picked_up_at not null / all rows).
"""

import asyncio
import contextlib
import json
import random
import sys
import time
import urllib.request

from .clients import Counsellor, HTTPPool, Visitor, pct
from .service import (
    PG_URL,
    PYTHON,
    SITE,
    CpuWindow,
    Service,
    counsellor_name,
    prepare_database,
    save,
    service_env,
    start_process,
    stop_process,
)

NAME = "surge"
REAL_SECONDS, VISITORS, COUNSELLORS, QUEUE_MAX, MAX_CHATS = 600, 10_000, 6, 30, 2


class Drill:
    def __init__(self, svc: Service, factor: float, visitors: int, seed: int = 11):
        self.svc, self.factor, self.n = svc, factor, visitors
        self.rng = random.Random(seed)
        self.http = HTTPPool(svc.url, 32)
        self.counts = {"requests": 0, "served": 0, "turned_away": 0, "turned_away_with_alternatives": 0,
                       "other_errors": 0, "picked_up_seen_by_visitor": 0, "left_waiting": 0, "rated": 0}
        self.post_lag, self.wait_to_pickup = [], []
        self.arrivals_over = False
        self.present = 0  # visitor tasks still running
        self.visitor_tasks: list[asyncio.Task] = []

    async def visitor(self, scheduled: float) -> None:
        self.present += 1
        try:
            await self._visitor(scheduled)
        finally:
            self.present -= 1

    async def _visitor(self, scheduled: float) -> None:
        v = Visitor(self.svc.url, self.svc.ws_url)
        self.counts["requests"] += 1
        try:
            response = await v.request(self.http)
        except Exception:
            self.counts["other_errors"] += 1
            return
        self.post_lag.append(time.perf_counter() - scheduled)
        if response.status == 409 and response.json()["error"]["code"] == "queue_full":
            self.counts["turned_away"] += 1
            self.counts["turned_away_with_alternatives"] += bool(response.json()["error"].get("alternatives"))
            return
        if response.status != 201:
            self.counts["other_errors"] += 1
            return
        self.counts["served"] += 1
        asked = time.perf_counter()
        try:
            await v.connect()
            v.on_counsellor_message = lambda frame: asyncio.ensure_future(_quietly(
                v.say("Oké, dank je.", f"v-{frame['seq']}")))
            patience = self.rng.uniform(120, 600) / self.factor
            if await v.wait_status("active", patience):
                self.counts["picked_up_seen_by_visitor"] += 1
                self.wait_to_pickup.append(time.perf_counter() - asked)
                if await v.wait_status("ended", 120) and self.rng.random() < 0.5:
                    await v.send({"type": "rate", "stars": self.rng.randint(3, 5)})
                    self.counts["rated"] += 1
            else:
                await v.send({"type": "leave", "reason": "left"})
                self.counts["left_waiting"] += 1
                await v.wait_status("ended", 10)
        except Exception:
            self.counts["other_errors"] += 1
        finally:
            await v.close()

    async def counsellor(self, c: Counsellor) -> None:
        async def script(cid: int) -> None:
            for k in range(3):
                await c.say(cid, f"Bericht {k + 1} van de CLB.", f"d{cid}-{k}")
                deadline = time.monotonic() + 10
                while c.visitor_messages.get(cid, 0) <= k and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(10 / self.factor)  # 10 s between messages, compressed
            await c.end(cid)

        scripts: dict[int, asyncio.Task] = {}
        while not (self.arrivals_over and self.present == 0):
            for cid in c.taken:  # chat frames, also those of a take that timed out here but succeeded
                if cid not in scripts:
                    scripts[cid] = asyncio.create_task(script(cid))
            if sum(not t.done() for t in scripts.values()) >= MAX_CHATS:
                await asyncio.sleep(0.05)
                continue
            try:
                await c.take(timeout=30)
            except (RuntimeError, TimeoutError):  # queue_empty or already_taken: look again shortly
                await asyncio.sleep(0.2)
        await asyncio.gather(*scripts.values(), return_exceptions=True)

    async def run(self) -> dict:
        counsellors = [Counsellor(self.svc.url, self.svc.ws_url, counsellor_name(i)) for i in range(COUNSELLORS)]
        for c in counsellors:
            await c.login()
            await c.connect()
        staff = [asyncio.create_task(self.counsellor(c)) for c in counsellors]
        duration = REAL_SECONDS / self.factor
        start = time.perf_counter()
        at = start
        for _ in range(self.n):
            at += self.rng.expovariate(self.n / duration)
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            self.visitor_tasks.append(asyncio.create_task(self.visitor(at)))
        self.arrivals_over = True
        arrivals_s = time.perf_counter() - start
        await asyncio.wait(self.visitor_tasks, timeout=60 + 600 / self.factor)
        await asyncio.wait(staff, timeout=60)
        for task in [*self.visitor_tasks, *staff]:
            task.cancel()
        for c in counsellors:
            await c.close()
        self.http.close()
        return {"answered_by_takes": sum(len(c.taken) for c in counsellors), "arrivals_s": round(arrivals_s, 1),
                "drill_s": round(time.perf_counter() - start, 1)}


async def _quietly(coroutine) -> None:
    with contextlib.suppress(Exception):  # a reply racing the end of the chat
        await coroutine


def database_counts(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as connection:
        total, picked = connection.execute(
            "SELECT count(*), count(picked_up_at) FROM conversations").fetchone()
        outcomes = dict(connection.execute("SELECT coalesce(outcome, status), count(*) FROM conversations "
                                           "GROUP BY 1 ORDER BY 1").fetchall())
    return {"conversations": total, "picked_up": picked, "outcomes": outcomes}


def probe(url: str, seconds: float, interval: float = 0.1) -> None:
    """Run in its own process: GET url every `interval` s for `seconds`; print latencies as JSON."""
    latencies, errors, end = [], 0, time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
            latencies.append(time.perf_counter() - t0)
        except OSError:
            errors += 1
        time.sleep(max(0.0, interval - (time.perf_counter() - t0)))
    print(json.dumps({"latencies": latencies, "errors": errors}))


def run(args=None) -> dict:
    factor = 200 if getattr(args, "quick", False) else 20
    env = service_env(QUEUE_MAX=QUEUE_MAX, MAX_CHATS_PER_COUNSELLOR=MAX_CHATS)
    prepare_database(env, counsellors=COUNSELLORS)
    with Service(NAME, env) as svc:
        seconds = REAL_SECONDS / factor + 30
        probe_proc = start_process([PYTHON, "-m", "bench.surge", "probe", f"{svc.url}/api/sites/{SITE}/status",
                                    str(seconds)], "surge-probe")
        window = CpuWindow()
        try:
            drill = Drill(svc, factor, VISITORS)
            outcome = asyncio.run(drill.run())
            probe_proc.wait(timeout=seconds + 30)
        finally:
            stop_process(probe_proc)
        cpu = window.stop()
    with open(probe_proc.log_file.name) as log:
        probed = json.loads(log.read().strip().splitlines()[-1])
    db = database_counts(PG_URL)
    c = drill.counts
    answered = outcome["answered_by_takes"]
    share = answered / max(c["requests"], 1)
    db_share = db["picked_up"] / max(db["conversations"], 1)
    result = {"factor": factor, "visitors": VISITORS, "counsellors": COUNSELLORS, "queue_max": QUEUE_MAX,
              "max_chats": MAX_CHATS, **outcome, "counts": c, "answered_share": round(share, 4),
              "database": db, "answered_share_db": round(db_share, 4),
              "counts_agree": db["conversations"] == c["requests"] and db["picked_up"] == answered,
              "post_lag_ms": pct(drill.post_lag), "wait_to_pickup_s": pct(drill.wait_to_pickup, scale=1),
              "status_probe_ms": {**pct(probed["latencies"]), "errors": probed["errors"]}, "cpu": cpu}
    status = result["status_probe_ms"]
    result["summary"] = (f"{c['requests']} requests in {outcome['arrivals_s']} s: served {c['served']}, turned away "
                         f"{c['turned_away']}, answered {answered} ({100 * share:.2f} %; database "
                         f"{100 * db_share:.2f} %, {'agree' if result['counts_agree'] else 'DISAGREE'}); "
                         f"status endpoint during the drill p50 {status.get('p50')} p99 {status.get('p99')} ms")
    save(NAME, result)
    return result


if __name__ == "__main__" and sys.argv[1:2] == ["probe"]:
    probe(sys.argv[2], float(sys.argv[3]))
