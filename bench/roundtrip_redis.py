"""Benchmark 3: the message round trip of benchmark 2 across two service processes through Redis.

How: two gunicorn masters (one gevent worker each) on two ports, sharing PostgreSQL and Redis
(REDIS_URL=redis://127.0.0.1:6379/14, channel prefix clbchat-bench). Every chatting visitor is connected to
process A and every counsellor to process B, so each message crosses Redis: visitor -> A -> database
+ Redis -> B -> counsellor, and the reply B -> Redis -> A -> visitor. 100 counsellors x 10 chats;
waiting visitors are added in stages (0, 2,000, 5,000), split evenly over A and B. At each stage
5,000 sequential round trips (at most 120 s), and the echo-server references, exactly as in
roundtrip.py. After the last stage, 20 s of round trips run under py-spy on A (not counted; not in
`--quick`, and with `--runs` in the first round only).
Target: chat p99 within 3x the reference p99.
"""

import asyncio

from .profiling import wanted as profiling_wanted
from .roundtrip import scenario, sizes, start_echos, verdict
from .service import REDIS_URL, Service, prepare_database, service_env, stop_process

NAME = "redis"


def run(args=None) -> dict:
    size = sizes(args)
    env = service_env(redis_url=REDIS_URL, MAX_CHATS_PER_COUNSELLOR=size["per"])
    prepare_database(env, counsellors=size["n_counsellors"])
    echos, echo_urls = start_echos(env["DATABASE_URL"])
    try:
        with Service(f"{NAME}-a", env) as a, Service(f"{NAME}-b", env) as b:
            result = asyncio.run(scenario(a, b, [a, b], echo_urls, **size,
                                          profile_name=NAME if profiling_wanted(args) else None, label=NAME))
    finally:
        for echo in echos:
            stop_process(echo)
    result["topology"] = "visitors on A, counsellors on B, waiting split over A and B; Redis between"
    return verdict(result, NAME)
