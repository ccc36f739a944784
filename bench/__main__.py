"""`python -m bench [NAME ...] [--quick] [--runs N]`: run the named benchmarks (all when none is named).

Names: status, queue, memory, roundtrip, redis, surge. Results: bench/results/NAME.json.
--runs N runs the named benchmarks N times, in rounds (all of them once, then all again), so a
disturbance of the shared machine falls on different benchmarks rather than on every run of one.
Each run's JSON is kept as NAME.runK.json (NAME.json is the last); NAME.runs.json has each run's
figures and their median and range; one line per benchmark is printed at the end, like
`roundtrip p99 6.10 ms [5.80-6.90 over 3 runs] at 0 waiting; ...` (bench/runs.py). py-spy profiles
are recorded in the first round only.
Every process a benchmark started is stopped afterwards, also when it fails or is interrupted.
"""

import argparse
import importlib
import json
import shutil
import signal
import sys
import time
import traceback

from . import runs as runs_summary
from . import service
from .service import RESULTS, raise_nofile, stop_all

BENCHMARKS = {
    "status": "bench.status",        # 1. status endpoint under wrk
    "queue": "bench.queue_move",     # 4. queue movement with 5,000 waiting
    "memory": "bench.memory",        # 5. RSS per idle waiting visitor
    "roundtrip": "bench.roundtrip",  # 2. message round trip, one worker
    "redis": "bench.roundtrip_redis",  # 3. the same across two workers through Redis
    "surge": "bench.surge",          # 6. surge drill
}
QUICK_QUIET_WAIT = 5.0  # s: a quick run only tries the harness, it need not wait for a quiet machine


def _terminate(_signum, _frame):
    raise SystemExit(143)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run_once(name: str, args, run: int) -> dict:
    """One run of one benchmark: {"run", "took_s", "result" (its saved JSON, None if it failed), "file"}."""
    started, wall_started = time.monotonic(), time.time()
    path, result, kept = RESULTS / f"{name}.json", None, None
    try:
        importlib.import_module(BENCHMARKS[name]).run(args)
        # the benchmark's own file, written in this run (a failed run leaves an older one behind)
        if path.exists() and path.stat().st_mtime >= wall_started:
            result = json.loads(path.read_text())
    except Exception:
        traceback.print_exc()
    finally:
        stop_all()
    took = round(time.monotonic() - started)
    if result is None:
        print(f"[{name}] FAILED", flush=True)
    elif args.runs > 1:
        kept = RESULTS / f"{name}.run{run}.json"
        shutil.copyfile(path, kept)
    print(f"[{name}] took {took} s" + (f" (run {run} of {args.runs})" if args.runs > 1 else ""), flush=True)
    return {"run": run, "took_s": took, "result": result, "file": kept.name if kept else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="NAME",
                        help=f"one or more of: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for trying the harness out")
    parser.add_argument("--runs", type=_positive, default=1, metavar="N",
                        help="run each named benchmark N times and report the spread (default 1)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    raise_nofile()
    if args.quick:
        service.QUIET_MAX_WAIT = QUICK_QUIET_WAIT
    names = args.names or list(BENCHMARKS)
    done: dict[str, list[dict]] = {name: [] for name in names}
    started = time.monotonic()
    for run in range(1, args.runs + 1):
        args.profile = run == 1  # where the time goes does not need measuring N times
        for name in names:
            done[name].append(run_once(name, args, run))
    if args.runs > 1:
        print(f"--- {args.runs} runs, {time.monotonic() - started:.0f} s in all; median [min-max] of the runs "
              f"(bench/results/NAME.runs.json):", flush=True)
        for name in names:
            print(runs_summary.summarise(name, done[name]), flush=True)
    return 1 if any(r["result"] is None for rows in done.values() for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
