"""No IP address in a log line (docs/privacy.md): the record factory that backend/gunicorn.conf.py
installs in every gunicorn process, on the lines gunicorn and the app really write."""

import logging
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "backend" / "gunicorn.conf.py"


@pytest.fixture
def conf():
    """The settings module as gunicorn runs it; this process's own record factory is put back after."""
    factory = logging.getLogRecordFactory()
    try:
        yield runpy.run_path(str(CONF))
    finally:
        logging.setLogRecordFactory(factory)


@pytest.mark.parametrize(("line", "clean"), [
    ("Invalid request from ip=127.0.0.1: Invalid HTTP request line: 'GARBAGE'",
     "Invalid request from ip=[ip]: Invalid HTTP request line: 'GARBAGE'"),
    ("Invalid request from ip=::1: Invalid HTTP request line: 'X'",
     "Invalid request from ip=[ip]: Invalid HTTP request line: 'X'"),
    ("Listening at: http://[::1]:5000,http://0.0.0.0:5000 (123)",
     "Listening at: http://[[ip]]:5000,http://[ip]:5000 (123)"),
    ("from 2001:db8::8a2e:370:7334.", "from [ip]."),
    ("peer ::ffff:192.0.2.1 and fe80::1%eth0", "peer [ip] and [ip]%eth0"),
    ('connection to server at "10.0.0.5", port 5432 failed', 'connection to server at "[ip]", port 5432 failed'),
])
def test_addresses_are_replaced(conf, line, clean):
    assert conf["ip_free"](line) == clean


@pytest.mark.parametrize("line", [
    "[2026-12-02 13:05:22 +0000] [12305] [INFO] Booting worker with pid: 12305",
    "Starting gunicorn 27.0.1 with gevent 26.9.0",
    "queue p99 14.5 ms; 1:2 ratio; aa:bb:cc:dd:ee:ff",
    "GET /api/sites/demo/status 200",
])
def test_times_versions_and_other_colons_stay(conf, line):
    assert conf["ip_free"](line) == line


def test_every_record_is_cleaned_message_arguments_and_traceback(conf, caplog):
    log = logging.getLogger("clbchat.test")
    with caplog.at_level(logging.INFO):
        log.warning("Invalid request from ip=%s: %s", "192.0.2.44", "bad")
        try:
            raise OSError("cannot reach 198.51.100.3:6379")
        except OSError:
            log.exception("redis down")
    text = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    assert "Invalid request from ip=[ip]: bad" in text
    assert "cannot reach [ip]:6379" in text
    assert "192.0.2.44" not in text and "198.51.100.3" not in text
