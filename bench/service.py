"""Start and stop what a benchmark measures: a fresh database, the seeded site and counsellors, the
service under gunicorn (gevent worker) as a subprocess, and reference servers; plus result files.

Every process started here is registered and stopped by `stop_all()` (called from `python -m bench`
in a `finally`, and at exit), so nothing outlives a run, even a failed one.
"""

import atexit
import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / ".venv" / "bin"
PYTHON = str(BIN / "python")
RESULTS = REPO / "bench" / "results"
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://root@127.0.0.1:5432/bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SITE = "bench"
SITE_ORIGIN = "http://bench.test"
PASSWORD = "bench-wachtwoord"
SECRET_KEY = "bench-secret-key-not-for-production"

_running: list[subprocess.Popen] = []


def raise_nofile() -> int:
    """Raise this process's open-files limit as far as the hard limit allows (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 65536 if hard == resource.RLIM_INFINITY else min(65536, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(database_url: str = PG_URL, redis_url: str | None = None, **settings) -> dict:
    """The service's environment: open 24/7, limits high enough not to be what is measured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
    env.update({
        "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "CHAT_HOURS": "24/7",
        "QUEUE_MAX": "20000", "MAX_CHATS_PER_COUNSELLOR": "10", "FLOOD_BURST": "1000",
        "FLOOD_PER_SECOND": "1000", "VISITOR_GRACE_SECONDS": "3600",
        "CLBCHAT_VAR_DIR": str(RESULTS / "var"), "PYTHONUNBUFFERED": "1",
    })
    if redis_url:
        # Redis carries events only; the benchmark's own channel name keeps it apart from anything
        # else on that server (a developer's service, a test run), so nothing needs flushing.
        env["REDIS_URL"], env["REDIS_PREFIX"] = redis_url, "clbchat-bench"
    env.update({k: str(v) for k, v in settings.items()})
    return env


def prepare_database(env: dict, counsellors: int = 0) -> None:
    """Empty the database, migrate it with the real migrations, seed site and users."""
    url = env["DATABASE_URL"]
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
    elif url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    Path(env["CLBCHAT_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    plain = {k: v for k, v in env.items() if k != "REDIS_URL"}
    for step in ([str(BIN / "flask"), "--app", "clbchat", "db", "upgrade"],
                 [PYTHON, "-m", "bench.service", "seed", str(counsellors)]):
        done = subprocess.run(step, env=plain, cwd=REPO, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(step)} failed:\n{done.stderr[-3000:]}")


def counsellor_name(i: int) -> str:
    return f"c{i:04d}"


def _seed(counsellors: int) -> None:
    """Run inside the service's environment: the site, and N counsellors sharing one password hash."""
    import clbchat
    from clbchat.auth import hash_password
    from clbchat.cli import upsert_site
    from clbchat.extensions import db
    from clbchat.models import User

    app = clbchat.create_app()
    with app.app_context():
        upsert_site(SITE, "Bench", [SITE_ORIGIN])
        password_hash = hash_password(PASSWORD)  # scrypt once, not N times
        for i in range(counsellors):
            db.session.add(User(username=counsellor_name(i), display_name=f"Hulp {i}", role="counsellor",
                                password_hash=password_hash, active=True))
        db.session.commit()


def start_process(args: list[str], log_name: str, env: dict | None = None) -> subprocess.Popen:
    """A child in its own process group with the raised open-files limit, output to results/logs/."""
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = open(logs / f"{log_name}.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            preexec_fn=raise_nofile, start_new_session=True)
    proc.log_file = log
    _running.append(proc)
    return proc


def stop_process(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM this process, wait, then SIGKILL its process group (its own workers only)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):  # workers left behind by a killed master
        os.killpg(proc.pid, signal.SIGKILL)
    proc.log_file.close()
    if proc in _running:
        _running.remove(proc)


def stop_all() -> None:
    for proc in list(_running):
        stop_process(proc, grace=5)


atexit.register(stop_all)


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}; see {proc.log_file.name}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout}s; see {proc.log_file.name}")


class Service:
    """One gunicorn master (WEB_CONCURRENCY workers) on its own port: `with Service(...) as svc:`."""

    def __init__(self, name: str, env: dict, workers: int = 1, port: int | None = None):
        self.name = name
        self.port = port or free_port()
        self.env = {**env, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Service":
        args = [str(BIN / "gunicorn"), "-c", "backend/gunicorn.conf.py", "clbchat.wsgi:application"]
        self.proc = start_process(args, f"gunicorn-{self.name}", self.env)
        wait_http(self.url + "/healthz", self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def worker_pids(self) -> list[int]:
        return children(self.proc.pid)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return sorted(found)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds including reaped children) for every process."""
    table, tick = {}, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                f = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                table[int(entry.name)] = (int(f[1]), sum(int(x) for x in f[11:15]) / tick)
    return table


def _our_cpu() -> float:
    """CPU seconds of this process and all its descendants (live ones, and reaped ones via cutime)."""
    table, ours, frontier, total = _proc_table(), {os.getpid()}, [os.getpid()], 0.0
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _cpu) in table.items():
            if ppid == parent and pid not in ours:
                ours.add(pid)
                frontier.append(pid)
    for pid in ours:
        total += table.get(pid, (0, 0.0))[1]
    return total


def _busy_seconds() -> tuple[float, float]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / tick, time.monotonic()


class CpuWindow:
    """How busy the machine was during a measurement, split into our processes and everybody else's.

    Other sessions may run tests on this machine at the same time; `others_cores` says how much CPU
    they took while we measured (0.0 = the machine was ours)."""

    def __init__(self):
        self.busy0, self.t0 = _busy_seconds()
        self.ours0 = _our_cpu()

    def stop(self) -> dict:
        busy1, t1 = _busy_seconds()
        ours = _our_cpu() - self.ours0
        wall = max(t1 - self.t0, 1e-6)
        total = busy1 - self.busy0
        return {"wall_s": round(wall, 1), "busy_cores": round(total / wall, 2), "ours_cores": round(ours / wall, 2),
                "others_cores": round(max(0.0, total - ours) / wall, 2)}


QUIET_MAX_WAIT = 60.0  # seconds; `python -m bench --quick` lowers it (a quick run only tries the harness)


def wait_quiet(max_wait: float | None = None, limit: float = 0.3) -> dict:
    """Wait (bounded) until other processes use less than `limit` cores; report what was seen."""
    deadline = time.monotonic() + (QUIET_MAX_WAIT if max_wait is None else max_wait)
    seen = None
    while time.monotonic() < deadline:
        window = CpuWindow()
        time.sleep(2)
        seen = window.stop()["others_cores"]
        if seen <= limit:
            break
    return {"others_cores_before": seen, "loadavg_before": Path("/proc/loadavg").read_text().split()[0]}


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {mem_gb:.0f} GB RAM, Python {sys.version.split()[0]}"


def code_version() -> str:
    """The commit measured, and '+changes' when backend/ differs from it (the tree moves under us)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "backend"], cwd=REPO, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def save(name: str, result: dict) -> Path:
    """Write bench/results/NAME.json and print the one-line summary."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"benchmark": name, "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
              "code": code_version(), **result}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    print(f"[{name}] {result.get('summary', '')}", flush=True)
    return path


if __name__ == "__main__" and sys.argv[1:2] == ["seed"]:
    _seed(int(sys.argv[2]))
