"""py-spy around a benchmark phase: record a worker's stacks, then summarise where the time went.

`Profiler(pid, seconds, name)` starts `py-spy record --format raw` (collapsed stacks, one line per
distinct stack with its sample count) as a subprocess; `summary()` waits for it and returns the
functions with the largest inclusive and self share of the samples, plus the service's own code
ranked alone, so docs/benchmarks.md can say where the time goes. Idle waiting (the gevent hub in
epoll) is not sampled (py-spy's default). `wanted(args)`: profile this run? Not in `--quick`, and
with `--runs N` only in the first round (a profile shows where time goes; repeating it adds nothing).
"""

import collections
import contextlib
import re
import subprocess

from .service import BIN, RESULTS, start_process, stop_process

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def wanted(args) -> bool:
    """Whether this run records a profile (`python -m bench` sets args.profile per round)."""
    return not getattr(args, "quick", False) and getattr(args, "profile", True)


class Profiler:
    def __init__(self, pid: int, seconds: int, name: str, rate: int = 200):
        self.raw = RESULTS / f"profile-{name}.txt"
        self.text = RESULTS / f"profile-{name}-summary.txt"
        self.proc = start_process([str(BIN / "py-spy"), "record", "--pid", str(pid), "--duration", str(seconds),
                                   "--rate", str(rate), "--format", "raw", "--output", str(self.raw)],
                                  f"py-spy-{name}")

    def summary(self, top: int = 25) -> dict:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=120)
        stop_process(self.proc, grace=5)
        if not self.raw.exists():
            return {"error": f"py-spy wrote nothing; see {self.proc.log_file.name}"}
        result = summarise(self.raw.read_text(), top)
        self.text.write_text(render(result))
        result["files"] = [str(self.raw.relative_to(RESULTS.parent.parent)),
                           str(self.text.relative_to(RESULTS.parent.parent))]
        return result


def _short(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "backend/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['func']} ({path})"


def summarise(raw: str, top: int = 25) -> dict:
    inclusive, own, service = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_short(f) for f in stack.split(";") if "(" in f]
        if not frames:
            continue
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
        for frame in set(f for f in frames if f.endswith("py)") and "clbchat/" in f):
            service[frame] += n

    def share(counter):
        return [(name, round(100 * n / max(total, 1), 1)) for name, n in counter.most_common(top)]

    return {"samples": total, "inclusive_pct": share(inclusive), "self_pct": share(own),
            "service_code_inclusive_pct": share(service)}


def render(result: dict) -> str:
    lines = [f"samples: {result['samples']}"]
    for key in ("inclusive_pct", "self_pct", "service_code_inclusive_pct"):
        lines.append(f"\n{key}:")
        lines += [f"  {pct:5.1f}%  {name}" for name, pct in result[key]]
    return "\n".join(lines) + "\n"
