"""The widget's files in the production layout (docs/deploy.md): two hosts of two gunicorn gevent
workers each. Every worker sends the same compressed bytes under the same version, so a loader from
one host names panel URLs that any other host serves as immutable, and ETags hold across hosts."""

import re

import brotli
import pytest
import requests

from .conftest import started_hosts

pytestmark = pytest.mark.scaleout

BR = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def two_by_two(service_env, tmp_path):
    with started_hosts({**service_env, "WEB_CONCURRENCY": "2"}, tmp_path) as started:
        yield started


def test_every_worker_of_every_host_serves_the_same_compressed_release(two_by_two):
    loaders = set()
    for host in two_by_two:
        for _ in range(6):  # new connections: the workers take turns accepting them
            response = requests.get(f"{host.url}/widget.js", headers=BR, timeout=5, stream=True)
            assert response.headers["Content-Encoding"] == "br"
            assert response.headers["Cache-Control"] == "public, max-age=300"
            loaders.add((response.headers["ETag"], response.raw.read(decode_content=False)))
            response.close()
    assert len(loaders) == 1
    etag, body = loaders.pop()
    version = re.search(rb'BUILD = "([0-9a-f]+)"', brotli.decompress(body)).group(1).decode()

    first, second = two_by_two
    panel = requests.get(f"{second.url}/widget/v/{version}/panel.js", headers=BR, timeout=5)
    assert panel.status_code == 200 and panel.headers["Content-Encoding"] == "br"
    assert panel.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"export function mount" in panel.content  # requests decodes br
    again = requests.get(f"{first.url}/widget/v/{version}/panel.js", timeout=5,
                         headers={**BR, "If-None-Match": panel.headers["ETag"]})
    assert again.status_code == 304
    assert requests.get(f"{second.url}/widget.js", headers={**BR, "If-None-Match": etag}, timeout=5).status_code == 304
