"""A site change made with `flask add-site` / `remove-site` reaches running workers at once (through
Redis), although each worker caches a site's settings for 30 seconds."""

import requests

import clbchat
from clbchat.widget_api.cors import SITE_CACHE_SECONDS

from ..conftest import SITE_ORIGIN
from .processes import wait_until

NEW_ORIGIN = "https://nieuw.school.test"


def status(host, origin: str) -> int:
    return requests.get(f"{host.url}/api/sites/school/status", headers={"Origin": origin}, timeout=5).status_code


def test_a_site_change_reaches_running_workers_at_once(hosts, service_env):
    assert all(status(host, NEW_ORIGIN) == 403 for host in hosts)  # both workers have the site cached now
    command = clbchat.create_app({"SQLALCHEMY_DATABASE_URI": service_env["DATABASE_URL"], "SECRET_KEY": "cli",
                                  "REDIS_URL": service_env["REDIS_URL"], "REDIS_PREFIX": service_env["REDIS_PREFIX"]})
    try:
        runner = command.test_cli_runner()
        added = runner.invoke(args=["add-site", "school", "--name", "Testschool", "--origin", SITE_ORIGIN,
                                    "--origin", NEW_ORIGIN])
        assert added.exit_code == 0, added.output
        assert "at once" in added.output
        # Well before the cache would have expired on its own.
        for host in hosts:
            wait_until(lambda h=host: status(h, NEW_ORIGIN) == 200, timeout=SITE_CACHE_SECONDS / 6,
                       what="the new origin allowed")

        removed = runner.invoke(args=["remove-site", "school"])
        assert removed.exit_code == 0, removed.output
        for host in hosts:
            wait_until(lambda h=host: status(h, SITE_ORIGIN) == 404, timeout=SITE_CACHE_SECONDS / 6,
                       what="the removed site unknown")
    finally:
        command.extensions["clbchat.hub"].stop()
        command.extensions["clbchat.bus"].close()
