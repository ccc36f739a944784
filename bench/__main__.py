"""`python -m bench [NAME ...]`: run the named benchmarks (all when none is named), in this order.

Names: status, queue, memory, roundtrip, redis, surge. Results: bench/results/NAME.json.
Every process a benchmark started is stopped afterwards, also when it fails or is interrupted.
"""

import argparse
import importlib
import signal
import sys
import time
import traceback

from .service import raise_nofile, stop_all

BENCHMARKS = {
    "status": "bench.status",        # 1. status endpoint under wrk
    "queue": "bench.queue_move",     # 4. queue movement with 5,000 waiting
    "memory": "bench.memory",        # 5. RSS per idle waiting visitor
    "roundtrip": "bench.roundtrip",  # 2. message round trip, one worker
    "redis": "bench.roundtrip_redis",  # 3. the same across two workers through Redis
    "surge": "bench.surge",          # 6. surge drill
}


def _terminate(_signum, _frame):
    raise SystemExit(143)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="NAME",
                        help=f"one or more of: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for trying the harness out")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    raise_nofile()
    failed = []
    for name in args.names or list(BENCHMARKS):
        started = time.monotonic()
        try:
            importlib.import_module(BENCHMARKS[name]).run(args)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            print(f"[{name}] FAILED", flush=True)
        finally:
            stop_all()
        print(f"[{name}] took {time.monotonic() - started:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
