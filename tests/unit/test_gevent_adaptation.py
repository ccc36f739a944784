"""What create_app changes when it runs on a gevent worker (gunicorn patches the socket module first)."""

import gevent
import pytest
from gevent import monkey

import clbchat
from clbchat.realtime.socket_wait import OneSocketSelector


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    monkeypatch.setenv("CLBCHAT_VAR_DIR", str(tmp_path))
    apps = []

    def make():
        app = clbchat.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db", "SECRET_KEY": "t"})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["clbchat.hub"].stop()
        app.extensions["clbchat.bus"].close()


def test_on_gevent_every_request_yields_once_and_sockets_wait_without_a_selector(make_app, monkeypatch):
    monkeypatch.setattr(monkey, "is_module_patched", lambda name: name == "socket")
    app = make_app()
    assert app.config["SOCK_SERVER_OPTIONS"]["selector_class"] is OneSocketSelector
    assert app.config["SOCK_SERVER_OPTIONS"]["ping_interval"] == 25  # the server still pings
    yields = []
    monkeypatch.setattr(gevent, "sleep", yields.append)
    assert app.test_client().get("/healthz").status_code == 200
    assert yields == [0]


def test_elsewhere_nothing_changes(make_app, monkeypatch):
    monkeypatch.setattr(monkey, "is_module_patched", lambda name: False)
    app = make_app()
    assert "selector_class" not in app.config["SOCK_SERVER_OPTIONS"]
    yields = []
    monkeypatch.setattr(gevent, "sleep", yields.append)
    assert app.test_client().get("/healthz").status_code == 200
    assert yields == []
