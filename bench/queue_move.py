"""Benchmark 4: queue movement. With 5,000 waiting visitors connected, a counsellor takes the head;
how long until the LAST waiting visitor has its new position?

How: the service on PostgreSQL, one gevent worker. 5,000 visitors POST a chat request and hold
/ws/visitor open (asyncio clients in this process). One counsellor logs in and connects. After the
queue frames have settled, for each of 20 takes: every visitor behind the head is told to expect
position-1; the clock starts when `take` is sent and stops at the arrival of the last expected
`queue` frame (bounded at 15 s; a take that misses it counts as missing). Between takes the queue
settles again. Then 10 more takes run under py-spy (not counted) to show where the time goes.
Reported: p50/p99/max of the last-visitor time, the take->chat latency, the setup rates, the CPU
of the worker and of this client process. The client decodes 5,000 frames per take itself, so the
time includes the client's share; its CPU use is reported to show whether it kept up.
Target: p99 <= 1 s.
"""

import asyncio
import contextlib
import resource
import time

from .clients import Counsellor, HTTPPool, QueueWatch, Visitor, close_all, new_visitors, pct, settle
from .profiling import Profiler
from .service import (
    CpuWindow,
    Service,
    counsellor_name,
    cpu_seconds,
    prepare_database,
    rss_kb,
    save,
    service_env,
    wait_quiet,
)

NAME = "queue"
TAKE_TIMEOUT = 15


async def take_once(counsellor: Counsellor, waiting: list[Visitor]) -> dict:
    """One take; the time until the last visitor behind the head had its new position."""
    behind = [v for v in waiting if v.position is not None and v.position >= 2]
    for v in behind:
        v.expect_position = v.position - 1
    watch = QueueWatch(len(behind))
    Visitor.watch = watch
    t0 = time.perf_counter()
    chat = await counsellor.take(timeout=TAKE_TIMEOUT)
    chat_at = time.perf_counter()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(watch.done.wait(), TAKE_TIMEOUT)
    Visitor.watch = None
    for v in behind:
        v.expect_position = None
    waiting[:] = [v for v in waiting if v.conversation_id != chat["id"]]
    return {"chat_id": chat["id"], "take_s": chat_at - t0, "missing": watch.expected,
            "last_s": (watch.last - t0) if watch.expected == 0 else None, "told": len(behind)}


async def scenario(svc: Service, n_waiting: int, takes: int, profiled_takes: int) -> dict:
    worker = svc.worker_pids()[0]
    http = HTTPPool(svc.url, 16)
    out: dict = {"waiting": n_waiting}
    t = time.perf_counter()
    waiting = await new_visitors(svc, http, n_waiting)
    out["setup_visitors_s"] = round(time.perf_counter() - t, 1)
    counsellor = Counsellor(svc.url, svc.ws_url, counsellor_name(0))
    await counsellor.login()
    await counsellor.connect()
    out["settle_s"] = await settle(waiting, quiet=2.0)
    out["worker_rss_kb"] = rss_kb(worker)
    out.update(await asyncio.to_thread(wait_quiet))  # in a thread: the clients must keep answering pings
    window, cpu0, me0 = CpuWindow(), cpu_seconds(worker), resource.getrusage(resource.RUSAGE_SELF)
    runs = []
    for _ in range(takes):
        runs.append(await take_once(counsellor, waiting))
        await settle(waiting, quiet=0.5, limit=15)
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu"] = {**window.stop(), "worker_cpu_s": round(cpu_seconds(worker) - cpu0, 2),
                  "client_cpu_s": round(me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime, 2)}
    out["runs"] = runs
    out["last_visitor_ms"] = pct([r["last_s"] for r in runs if r["last_s"] is not None])
    out["take_to_chat_ms"] = pct([r["take_s"] for r in runs])
    out["missing_takes"] = sum(1 for r in runs if r["missing"])
    if profiled_takes:
        profiler = Profiler(worker, seconds=max(8, profiled_takes * 2), name=NAME)
        await asyncio.sleep(1)  # py-spy attaches
        deadline = time.monotonic() + profiled_takes * 2
        profiled = []
        while len(profiled) < profiled_takes and time.monotonic() < deadline and len(waiting) > 2:
            profiled.append(await take_once(counsellor, waiting))
        out["profiled_last_visitor_ms"] = pct([r["last_s"] for r in profiled if r["last_s"] is not None])
        out["profile"] = profiler.summary()
    out["frames_per_visitor"] = round(sum(v.queue_frames for v in waiting) / max(len(waiting), 1), 1)
    await counsellor.close()
    await close_all(waiting)
    http.close()
    return out


def run(args=None) -> dict:
    quick = getattr(args, "quick", False)
    n_waiting, takes = (500, 5) if quick else (5000, 20)
    env = service_env(MAX_CHATS_PER_COUNSELLOR=takes + 20)
    prepare_database(env, counsellors=1)
    with Service(NAME, env) as svc:
        result = asyncio.run(scenario(svc, n_waiting, takes, 0 if quick else 10))
    last = result["last_visitor_ms"]
    ok = last.get("p99", 1e9) <= 1000 and result["missing_takes"] == 0
    result.update(target="p99 <= 1000 ms until the last waiting visitor has its new position", target_met=ok)
    result["summary"] = (f"{n_waiting} waiting: take -> last visitor's new position p50 {last.get('p50')} ms, "
                         f"p99 {last.get('p99')} ms over {last.get('n')} takes (missing {result['missing_takes']}); "
                         f"take -> chat p50 {result['take_to_chat_ms'].get('p50')} ms; "
                         f"target {'met' if ok else 'MISSED'}")
    save(NAME, result)
    return result
