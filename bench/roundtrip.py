"""Benchmark 2: message round trip visitor -> counsellor -> visitor while many chats and waiting
visitors are held open, next to a plain websockets echo server.

How: the service on PostgreSQL, one gevent worker. 100 counsellors log in and connect
(MAX_CHATS_PER_COUNSELLOR=10); 1,000 visitors request a chat and connect; each counsellor takes 10
of them (1,000 active chats). Then, in stages, waiting visitors are added (0, then 2,000, then
5,000: up to 6,100 sockets on the worker). At each stage 5,000 round trips run one after the other on
random chats (at most 120 s of them; a slower machine gives fewer and `n` says so): the visitor
sends a `message`; the counsellor's client answers at once when the message frame reaches it; the
clock stops when the counsellor's message frame reaches the visitor. That is four WebSocket hops
and two stored messages (each a database transaction).
Reference (same run, same client process, the same sockets held): a `websockets` asyncio echo
server in its own process; one reference sample = two echo round trips one after the other (four
hops, like the chat round trip), 5,000 samples too. Target: chat p99 within 3x the reference p99.
Why 5,000: p99 of 500 was the 5th slowest, and one stall of the shared machine moved it 2-5x between
identical runs; of 5,000 it is the 50th slowest. `python -m bench --runs 3` reports the spread of runs.
Second reference, for what storing costs: the same echo server storing each message in PostgreSQL
before it echoes it (bench/refapp.py stored-echo: one transaction of UPDATE ... RETURNING and
INSERT per message, as the service does), measured the same way.
After the last stage, 20 s of round trips run under py-spy (not counted) to show where time goes
(not in `--quick`, and with `--runs` in the first round only). `--quick`: 100 chats, 100 samples.
`python -m bench redis` runs the same across two service processes through Redis (roundtrip_redis.py).
"""

import asyncio
import json
import random
import time

from .clients import Counsellor, HTTPPool, bounded, close_all, new_visitors, open_ws, pct
from .profiling import Profiler
from .profiling import wanted as profiling_wanted
from .service import (
    PYTHON,
    CpuWindow,
    Service,
    counsellor_name,
    free_port,
    prepare_database,
    rss_kb,
    save,
    service_env,
    start_process,
    stop_process,
    wait_quiet,
)

NAME = "roundtrip"
RT_TIMEOUT = 10
SAMPLES = 5000  # per stage and per reference: p99 is then the 50th slowest, not the 5th
SERIES_SECONDS = 120  # bound on one series of samples


async def start_chats(visitor_svc: Service, counsellor_svc: Service, n_counsellors: int, per: int) -> tuple:
    """n_counsellors connected, each with `per` active chats; returns (counsellors, [(visitor, counsellor)])."""
    counsellors = [Counsellor(counsellor_svc.url, counsellor_svc.ws_url, counsellor_name(i), auto_reply=True)
                   for i in range(n_counsellors)]
    for result in await bounded((c.login() for c in counsellors), 8):
        if isinstance(result, BaseException):
            raise result
    for result in await bounded((c.connect() for c in counsellors), 20):
        if isinstance(result, BaseException):
            raise result
    http = HTTPPool(visitor_svc.url, 16)
    visitors = await new_visitors(visitor_svc, http, n_counsellors * per)
    http.close()
    by_id = {v.conversation_id: v for v in visitors}

    async def take_all(counsellor):
        for _attempt in range(per * 5):
            if len(counsellor.chats) >= per:
                return
            try:
                await counsellor.take(timeout=30)
            except (RuntimeError, TimeoutError):  # already_taken in a race with a colleague: take again
                await asyncio.sleep(0.05)

    await bounded((take_all(c) for c in counsellors), 4)
    await bounded((take_all(c) for c in counsellors), 1)  # a second, unhurried pass for the unlucky ones
    pairs = [(by_id[cid], c) for c in counsellors for cid in c.chats]
    await bounded((v.wait_status("active", 30) for v, _ in pairs), 500)
    pairs = [(v, c) for v, c in pairs if v.status == "active"]
    if len(pairs) < n_counsellors * per:
        codes = sorted({e.get("code") for c in counsellors for e in c.errors})
        print(f"  [{NAME}] only {len(pairs)} of {n_counsellors * per} chats started (errors: {codes})", flush=True)
    return counsellors, pairs


async def round_trips(pairs: list, samples: int, tag: str, seconds: float | None = None) -> list[float]:
    """Sequential round trips on random chats; seconds each (timeouts are left out and counted)."""
    times, rng, deadline = [], random.Random(7), time.monotonic() + (seconds or 3600)
    for i in range(samples):
        if time.monotonic() > deadline:
            break
        visitor, _ = rng.choice(pairs)
        client_id = f"{tag}-{i}"
        future = visitor.expect_reply(client_id)
        t0 = time.perf_counter()
        await visitor.say("Hallo, ik heb een vraag.", client_id)
        try:
            times.append(await asyncio.wait_for(future, RT_TIMEOUT) - t0)
        except TimeoutError:
            times.append(None)
    return times


async def echo_round_trips(url: str, samples: int, seconds: float | None = None) -> list[float]:
    """The reference: two echo round trips one after the other per sample."""
    ws = await open_ws(url, "http://bench.test")
    frame = json.dumps({"type": "message", "client_id": "x" * 12, "text": "Hallo, ik heb een vraag."})
    times, deadline = [], time.monotonic() + (seconds or 3600)
    for _ in range(samples):
        if time.monotonic() > deadline:
            break
        t0 = time.perf_counter()
        for _hop in range(2):
            await ws.send(frame)
            await ws.recv()
        times.append(time.perf_counter() - t0)
    await ws.close()
    return times


def summarise(times: list) -> dict:
    done = [t for t in times if t is not None]
    return {**pct(done), "timeouts": len(times) - len(done)}


async def scenario(visitor_svc: Service, counsellor_svc: Service, waiting_svcs: list[Service], echo_urls: dict,
                   n_counsellors: int, per: int, steps: tuple[int, ...], samples: int, profile_name: str | None,
                   label: str = NAME, seconds: float = SERIES_SECONDS):
    out = {"counsellors": n_counsellors, "chats": n_counsellors * per, "stages": []}
    t = time.perf_counter()
    counsellors, pairs = await start_chats(visitor_svc, counsellor_svc, n_counsellors, per)
    out["setup_chats_s"] = round(time.perf_counter() - t, 1)
    workers = {svc.name: svc.worker_pids()[0] for svc in {visitor_svc, counsellor_svc, *waiting_svcs}}
    waiting, https = [], {svc.name: HTTPPool(svc.url, 16) for svc in waiting_svcs}
    for target in steps:
        while len(waiting) < target:  # batches of 500, taking turns over the services
            svc = waiting_svcs[(len(waiting) // 500) % len(waiting_svcs)]
            batch = min(500, target - len(waiting))
            waiting += await new_visitors(svc, https[svc.name], batch)
        await asyncio.sleep(3)
        quiet = await asyncio.to_thread(wait_quiet)
        window = CpuWindow()
        chat = summarise(await round_trips(pairs, samples, f"s{target}", seconds))
        cpu = window.stop()
        ref = summarise(await echo_round_trips(echo_urls["echo"], samples, seconds))
        stored = summarise(await echo_round_trips(echo_urls["stored_echo"], samples, seconds))
        stage = {"waiting": len(waiting), "active_chats": len(pairs),
                 "sockets": len(pairs) + len(counsellors) + len(waiting),
                 "chat_rt_ms": chat, "reference_rt_ms": ref, "stored_reference_rt_ms": stored,
                 "p99_ratio_to_stored": round(chat["p99"] / stored["p99"], 1) if chat.get("p99") and stored.get(
                     "p99") else None,
                 "p99_ratio": round(chat["p99"] / ref["p99"], 1) if chat.get("p99") and ref.get("p99") else None,
                 "worker_rss_kb": {name: rss_kb(pid) for name, pid in workers.items()}, "cpu": {**quiet, **cpu}}
        out["stages"].append(stage)
        print(f"  [{label}] {stage['waiting']} waiting + {len(pairs)} chats: chat p50 {chat.get('p50')} "
              f"p99 {chat.get('p99')} ms (n {chat.get('n')}, others {cpu['others_cores']} cores); reference "
              f"p50 {ref.get('p50')} p99 {ref.get('p99')} ms; stored reference "
              f"p50 {stored.get('p50')} p99 {stored.get('p99')} ms", flush=True)
    if profile_name:
        profiler = Profiler(workers[visitor_svc.name], seconds=20, name=profile_name)
        await asyncio.sleep(1)
        out["profiled_rt_ms"] = summarise(await round_trips(pairs, 100000, "prof", seconds=18))
        out["profile"] = profiler.summary()
    out["counsellor_errors"] = sum(len(c.errors) for c in counsellors)
    for pool in https.values():
        pool.close()
    await close_all([v for v, _ in pairs] + waiting + counsellors)
    return out


def start_echos(database_url: str) -> tuple[list, dict]:
    """The two reference servers: (processes, {"echo": url, "stored_echo": url})."""
    procs, urls = [], {}
    for name, args in (("echo", ["echo"]), ("stored_echo", ["stored-echo", database_url])):
        port = free_port()
        procs.append(start_process([PYTHON, "-m", "bench.refapp", args[0], str(port), *args[1:]], name))
        urls[name] = f"ws://127.0.0.1:{port}/"
    time.sleep(1.5)
    return procs, urls


def verdict(result: dict, name: str) -> dict:
    last = result["stages"][-1]
    ratio = last["p99_ratio"]
    ok = ratio is not None and ratio <= 3 and last["chat_rt_ms"]["timeouts"] == 0
    result.update(target="chat round trip p99 <= 3x the echo reference p99", target_met=ok)
    stages = "; ".join(f"{s['waiting']} waiting: p50 {s['chat_rt_ms'].get('p50')} / p99 {s['chat_rt_ms'].get('p99')}"
                       f" ms of {s['chat_rt_ms'].get('n')} (ref p99 {s['reference_rt_ms'].get('p99')} ms, "
                       f"x{s['p99_ratio']}; stored ref p99 "
                       f"{s['stored_reference_rt_ms'].get('p99')} ms, x{s['p99_ratio_to_stored']})"
                       for s in result["stages"])
    result["summary"] = f"{result['chats']} chats + {stages}; target {'met' if ok else 'MISSED'}"
    save(name, result)
    return result


def sizes(args) -> dict:
    if getattr(args, "quick", False):
        return {"n_counsellors": 10, "per": 10, "steps": (0, 200, 500), "samples": 100}
    return {"n_counsellors": 100, "per": 10, "steps": (0, 2000, 5000), "samples": SAMPLES}


def run(args=None) -> dict:
    size = sizes(args)
    env = service_env(MAX_CHATS_PER_COUNSELLOR=size["per"])
    prepare_database(env, counsellors=size["n_counsellors"])
    echos, echo_urls = start_echos(env["DATABASE_URL"])
    try:
        with Service(NAME, env) as svc:
            result = asyncio.run(scenario(svc, svc, [svc], echo_urls, **size,
                                          profile_name=NAME if profiling_wanted(args) else None))
    finally:
        for echo in echos:
            stop_process(echo)
    return verdict(result, NAME)
