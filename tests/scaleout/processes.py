"""Real service processes for the scale-out tests: gunicorn (gevent) hosts and a private Redis."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


class Host:
    """One gunicorn master with its worker(s), as a host of the service would run it: `workers`
    gevent workers (docs/deploy.md recommends two per host), listening on 127.0.0.1 and on any
    `also_bind` addresses (e.g. "[::1]:port")."""

    def __init__(self, port: int, env: dict, log_dir: Path, workers: int = 1, also_bind: tuple[str, ...] = ()):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"
        self.env = {**os.environ, **env, "BIND": ",".join([f"127.0.0.1:{port}", *also_bind]),
                    "WEB_CONCURRENCY": str(workers)}
        self.log_path = log_dir / f"host-{port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Host":
        log = open(self.log_path, "ab")  # noqa: SIM115 (kept open for the process's lifetime)
        self.process = subprocess.Popen([GUNICORN, "-c", "backend/gunicorn.conf.py", "clbchat.wsgi:application"],
                                        cwd=REPO, env=self.env, stdout=log, stderr=log, start_new_session=True)
        try:
            return self.wait_serving()
        except RuntimeError:
            self.kill()
            raise

    def wait_serving(self, timeout: float = 30) -> "Host":
        """Wait until a worker answers (after a start, or the new workers of a reload)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"host {self.port} exited; see {self.log_path}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code in (200, 503):
                    return self
            except requests.RequestException:  # not listening yet, or the worker still booting
                pass
            time.sleep(0.2)
        raise RuntimeError(f"host {self.port} did not start; see {self.log_path}")

    def health(self) -> dict:
        return requests.get(f"{self.url}/healthz", timeout=3).json()

    def signal(self, sig: int) -> None:
        """Signal the master only, as `kill -TERM` or `kill -HUP` on its pid (or systemd's reload) does."""
        os.kill(self.process.pid, sig)

    def worker_pids(self) -> set[int]:
        """The master's children (its workers), from /proc."""
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process is gone
                continue
            if int(fields[1]) == self.process.pid:
                children.add(int(stat.parent.name))
        return children

    def exited_within(self, seconds: float) -> bool:
        try:
            self.process.wait(seconds)
            return True
        except subprocess.TimeoutExpired:
            return False

    def log(self) -> str:
        """Everything the master and its workers wrote (stdout and stderr: error and access logs)."""
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole process group: master and workers die at once, mid-whatever."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


class PrivateRedis:
    """A Redis of our own on another port, so a test can stop it without touching the shared one."""

    def __init__(self, port: int, log_dir: Path):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.log_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return self
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def wait_until(predicate, timeout: float = 15, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
