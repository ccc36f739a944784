"""`python -m bench --runs N`: the figures of each run of a benchmark, and their spread across runs.

On the shared 2-core machine a p99 moves between identical runs by more than its sampling error, so
a figure is quoted as the median of N runs with the range [min-max] of the runs. `figures(name,
result)` picks what the tables in docs/benchmarks.md quote from one run's JSON (p50/p99 of each
measured series, requests/s where there is one, the sample count); `summarise(name, runs)` writes
bench/results/NAME.runs.json (each run's figures, the median/min/max of each across the runs) and
returns the line `python -m bench` prints, e.g. `roundtrip p99 6.1 ms [5.8-6.9 over 3 runs] ...`.
"""

import json
import statistics
from datetime import UTC, datetime

from .clients import above_p99
from .service import RESULTS


def _series(stats: dict, **extra) -> dict:
    """p50/p99/n of a `pct` dict (milliseconds), and how many samples lie above its p99."""
    n = stats.get("n", 0)
    return {"p50_ms": stats.get("p50"), "p99_ms": stats.get("p99"), "n": n, "above_p99": above_p99(n), **extra}


def _wrk(run: dict) -> dict:
    n = run.get("requests") or 0
    return {"p50_ms": run.get("p50_ms"), "p99_ms": run.get("p99_ms"), "req_per_s": run.get("requests_per_s"),
            "n": n, "above_p99": above_p99(n)}


def figures(name: str, result: dict) -> dict:
    """The quoted figures of one run: {series: {field: number}}, in the order the docs quote them."""
    out: dict = {}
    if name == "status":
        out["status"] = _wrk(result["status"])
        out["status 304"] = _wrk(result["status_304"])
        for row in result["status_open_loop"]:
            out[f"open loop {row['offered_per_s']:g}/s"] = _series(row["latency_ms"], errors=row["errors"])
        out["ref widget.js"] = _wrk(result["ref_widget_js"])
        out["ref bare WSGI"] = _wrk(result["ref_bare_wsgi"])
    elif name in ("roundtrip", "redis"):
        for stage in result["stages"]:
            w = stage["waiting"]
            out[f"chat, {w} waiting"] = _series(stage["chat_rt_ms"], timeouts=stage["chat_rt_ms"].get("timeouts"))
            out[f"echo, {w} waiting"] = _series(stage["reference_rt_ms"])
            out[f"stored echo, {w} waiting"] = _series(stage["stored_reference_rt_ms"])
    elif name == "queue":
        out["take -> last visitor"] = _series(result["last_visitor_ms"], missing=result["missing_takes"])
        out["take -> chat"] = _series(result["take_to_chat_ms"])
    elif name == "memory":
        for variant in result["variants"]:
            for step in variant["steps"]:
                out[f"{variant['compression']}, {step['idle_visitors']} visitors"] = {
                    "kb_per_visitor": step["per_visitor_kb"]}
    elif name == "surge":
        out["status probe"] = _series(result["status_probe_ms"], errors=result["status_probe_ms"].get("errors"))
        out["chat request answered"] = _series(result["post_lag_ms"])
        out["answered share"] = {"percent": round(100 * result["answered_share"], 2)}
    return out


def others_cores(result) -> float | None:
    """The most CPU other processes took during any measurement of this run (0.0: the machine was ours)."""
    seen = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "others_cores" and isinstance(value, int | float):
                    seen.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return max(seen) if seen else None


def spread(per_run: list[dict]) -> dict:
    """{series: {field: {median, min, max, values}}} over the runs that have that figure."""
    out: dict = {}
    for run in per_run:
        for series, fields in run["figures"].items():
            for field, value in fields.items():
                if isinstance(value, int | float):
                    out.setdefault(series, {}).setdefault(field, []).append(value)
    return {series: {field: {"median": round(statistics.median(values), 2), "min": min(values),
                             "max": max(values), "values": values}
                     for field, values in fields.items()}
            for series, fields in out.items()}


# What the printed line quotes: (series, field, unit, text before, text after); {w} in a series
# stands for each stage ("chat, {w} waiting" -> "chat, 0 waiting", "chat, 2000 waiting", ...).
HEADLINE = {
    "status": [("status", "p99_ms", "ms", "", ""), ("status", "req_per_s", "req/s", "", "")],
    "roundtrip": [("chat, {w} waiting", "p99_ms", "ms", "", "at {w} waiting")],
    "redis": [("chat, {w} waiting", "p99_ms", "ms", "", "at {w} waiting")],
    "queue": [("take -> last visitor", "p99_ms", "ms", "", ""), ("take -> last visitor", "p50_ms", "ms", "", "")],
    "memory": [("deflate, {w} visitors", "kb_per_visitor", "KB per visitor", "", "at {w}")],
    "surge": [("status probe", "p99_ms", "ms", "status probe", ""), ("answered share", "percent", "%", "answered", "")],
}
PERCENTILE = {"p99_ms": "p99", "p50_ms": "p50"}


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def _stages(pattern: str, stats: dict) -> list[tuple[str, str]]:
    """(series, stage) for each series matching the pattern; stage is "" without {w}."""
    if "{w}" not in pattern:
        return [(pattern, "")] if pattern in stats else []
    head, _, tail = pattern.partition("{w}")
    found = []
    for key in stats:
        if key.startswith(head) and key.endswith(tail) and len(key) > len(head) + len(tail):
            stage = key[len(head):len(key) - len(tail)]
            found.append((key, f"{int(stage):,}" if stage.isdigit() else stage))
    return found


def line(name: str, stats: dict, completed: int) -> str:
    """`roundtrip p99 6.10 ms [5.80-6.90 over 3 runs] at 0 waiting; ...`: the median of the runs, their range."""
    parts = []
    for pattern, field, unit, before, after in HEADLINE.get(name, []):
        for series, stage in _stages(pattern, stats):
            s = stats[series].get(field)
            if not s:
                continue
            words = [before, PERCENTILE.get(field, ""), f"{_number(s['median'])} {unit}",
                     f"[{_number(s['min'])}-{_number(s['max'])} over {len(s['values'])} runs]",
                     after.format(w=stage)]
            parts.append(" ".join(w for w in words if w))
    if not parts:
        return f"{name}: no figures ({completed} runs completed)"
    return f"{name} " + "; ".join(parts)


def summarise(name: str, runs: list[dict]) -> str:
    """runs: [{"run": k, "took_s": s, "result": saved JSON or None, "file": path or None}]; writes
    bench/results/NAME.runs.json and returns the line to print."""
    per_run = []
    for run in runs:
        result = run.get("result")
        row = {"run": run["run"], "took_s": run["took_s"], "file": run.get("file"), "failed": result is None}
        if result is not None:
            row.update(code=result.get("code"), date=result.get("date"), others_cores_max=others_cores(result),
                       target_met=result.get("target_met"), figures=figures(name, result))
        per_run.append(row)
    done = [r for r in per_run if not r["failed"]]
    stats = spread(done)
    text = line(name, stats, len(done))
    summary = {"benchmark": name, "date": datetime.now(UTC).isoformat(timespec="seconds"), "runs": len(runs),
               "completed": len(done), "line": text,
               "note": "median [min-max] across runs of each figure; each run's own figures under per_run",
               "spread": stats, "per_run": per_run}
    (RESULTS / f"{name}.runs.json").write_text(json.dumps(summary, indent=2, default=str))
    return text
