"""Benchmark 5: memory per idle waiting visitor connection (RSS of the gunicorn worker).

How: the service on PostgreSQL, one gevent worker. 50 visitors connect first (warm-up: every code
path of a visitor has run once), the queue settles, and the worker's VmRSS (/proc/PID/status) is
the baseline. Then visitors are added until 2,000 and then 5,000 are connected and waiting (each
POSTed a chat request, opened /ws/visitor and said hello); after the queue frames settle and 2 s
more, VmRSS is read again: (RSS - baseline) / N is the memory per idle waiting visitor. Finally all
are closed and RSS is read once more (memory returned to the OS or kept in the worker's heap).
The whole is done twice, each on a fresh service: with clients that offer permessage-deflate (as
every browser does; a server that accepts it keeps a zlib stream per socket, ~100 KB: the service
declines it since f80576d, so both rows should now be equal) and without.
Target: <= 50 KB per idle waiting visitor.
"""

import asyncio

from .clients import HTTPPool, close_all, new_visitors, settle
from .service import Service, prepare_database, rss_kb, save, service_env

NAME = "memory"
TARGET_KB = 50


async def scenario(svc: Service, steps: tuple[int, ...], compression: str | None) -> dict:
    worker = svc.worker_pids()[0]
    http = HTTPPool(svc.url, 16)
    held = await new_visitors(svc, http, 50, compression=compression)
    await settle(held, quiet=1.0)
    await asyncio.sleep(2)
    baseline = rss_kb(worker)
    rows = []
    for target in steps:
        held += await new_visitors(svc, http, target - (len(held) - 50), compression=compression)
        await settle(held, quiet=2.0)
        await asyncio.sleep(2)
        rss = rss_kb(worker)
        rows.append({"idle_visitors": target, "rss_kb": rss, "delta_kb": rss - baseline,
                     "per_visitor_kb": round((rss - baseline) / target, 1)})
    await close_all(held)
    http.close()
    await asyncio.sleep(5)
    return {"compression": compression or "none", "baseline_rss_kb": baseline, "steps": rows,
            "rss_after_close_kb": rss_kb(worker)}


def run(args=None) -> dict:
    steps = (200, 500) if getattr(args, "quick", False) else (2000, 5000)
    result = {"variants": []}
    for compression in ("deflate", None):
        env = service_env()
        prepare_database(env)
        with Service(f"{NAME}-{compression or 'none'}", env) as svc:
            result["variants"].append(asyncio.run(scenario(svc, steps, compression)))
    browser = result["variants"][0]["steps"][-1]["per_visitor_kb"]
    plain = result["variants"][1]["steps"][-1]["per_visitor_kb"]
    result.update(target=f"<= {TARGET_KB} KB RSS per idle waiting visitor", target_met=browser <= TARGET_KB,
                  target_met_without_deflate=plain <= TARGET_KB)
    parts = [f"{v['compression']}: " + ", ".join(f"{s['idle_visitors']} -> {s['per_visitor_kb']} KB"
                                                  for s in v["steps"]) for v in result["variants"]]
    result["summary"] = (f"RSS per idle waiting visitor ({'; '.join(parts)}); target {TARGET_KB} KB "
                         f"{'met' if browser <= TARGET_KB else 'MISSED'} with permessage-deflate (browsers), "
                         f"{'met' if plain <= TARGET_KB else 'MISSED'} without")
    save(NAME, result)
    return result
