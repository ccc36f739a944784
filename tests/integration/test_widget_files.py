"""The widget's files as the service sends them: compressed once at startup (brotli, gzip), versioned
URLs cached for good, the loader's stable URL with a short max-age."""

import gzip
from pathlib import Path

import brotli
import pytest

import clbchat
from clbchat.widget_api import widget_files

WIDGET_DIR = Path(__file__).resolve().parents[2] / "widget"
PANEL_MODULES = ["panel.js", "panel-styles.js", "conversation.js", "views.js", "messages.js"]


def _version(app) -> str:
    return app.extensions["clbchat.widget_files"].version


def test_each_file_goes_out_in_the_best_encoding_the_client_takes(app):
    client = app.test_client()
    plain = (WIDGET_DIR / "views.js").read_bytes()
    url = f"/widget/v/{_version(app)}/views.js"
    br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br" and brotli.decompress(br.data) == plain
    gz = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == plain
    refused = client.get(url, headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain
    assert "Content-Encoding" not in client.get(url).headers  # no Accept-Encoding: plain bytes
    for response in (br, gz, refused):
        assert response.headers["Vary"] == "Accept-Encoding"
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert response.headers["Access-Control-Allow-Origin"] == "*"  # import() from the school's page
    assert len(br.data) < len(gz.data) < len(plain) / 2
    assert len({br.headers["ETag"], gz.headers["ETag"], refused.headers["ETag"]}) == 3  # different bytes


def test_the_panel_is_cached_for_good_under_a_version_the_loader_names(app):
    client = app.test_client()
    version = _version(app)
    loader = client.get("/widget.js", headers={"Accept-Encoding": "br"})
    assert loader.headers["Cache-Control"] == "public, max-age=300"  # the URL in the schools' pages
    assert f'BUILD = "{version}"'.encode() in brotli.decompress(loader.data)
    for name in PANEL_MODULES:
        response = client.get(f"/widget/v/{version}/{name}", headers={"Accept-Encoding": "br"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # The unversioned paths still work, revalidated every time; another release's version is not kept.
    assert client.get("/widget/panel.js").headers["Cache-Control"] == "no-cache"
    other = client.get("/widget/v/0123456789abcdef/panel.js")
    assert other.status_code == 200 and other.headers["Cache-Control"] == "no-store"
    assert client.get(f"/widget/v/{version}/nothing.js").status_code == 404
    assert client.get("/widget/..%2Fpyproject.toml").status_code == 404


def test_an_unchanged_file_is_a_304(app):
    client = app.test_client()
    first = client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    again = client.get("/widget.js", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other_encoding = client.get("/widget.js", headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert other_encoding.status_code == 200


def test_files_are_compressed_once_at_startup_not_per_request(app, monkeypatch):
    def no_compressing(*args, **kwargs):
        raise AssertionError("compressed during a request")

    monkeypatch.setattr(widget_files.brotli, "compress", no_compressing)
    monkeypatch.setattr(widget_files.gzip, "compress", no_compressing)
    client = app.test_client()
    for name in PANEL_MODULES:
        assert client.get(f"/widget/{name}", headers={"Accept-Encoding": "br"}).status_code == 200
    assert client.get("/widget.js", headers={"Accept-Encoding": "gzip"}).status_code == 200


def test_a_new_release_gets_a_new_version(tmp_path):
    for f in WIDGET_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    before = widget_files.build(str(tmp_path)).version
    (tmp_path / "views.js").write_bytes((WIDGET_DIR / "views.js").read_bytes() + b"\n// next release\n")
    assert widget_files.build(str(tmp_path)).version != before


def test_a_wrong_widget_dir_stops_the_service_at_start_with_a_clear_message(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("WIDGET_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(RuntimeError, match="WIDGET_DIR"):
        clbchat.create_app(app_config)
