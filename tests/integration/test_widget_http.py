"""The widget's HTTP API on a real server: status caching, origins, asking for a chat, the busy rule."""

import pytest
import requests
from sqlalchemy import select

import clbchat
from clbchat.domain.hours import InvalidSchedule
from clbchat.extensions import db
from clbchat.models import Conversation

from ..conftest import SITE_ORIGIN

ALLOWED = {"Origin": SITE_ORIGIN}


def test_status_is_cacheable_and_answers_304_to_a_matching_etag(live):
    response = requests.get(f"{live.url}/api/sites/school/status", headers=ALLOWED)
    assert response.status_code == 200
    body = response.json()
    assert body["open"] is True and body["site"] == {"slug": "school", "name": "Testschool",
                                                    "hide_when_closed": False}
    assert [a["contact"] for a in body["alternatives"]] == ["102", "1813", "106", "112"]
    assert len(body["week"]) == 7
    assert response.headers["Access-Control-Allow-Origin"] == SITE_ORIGIN
    assert "public" in response.headers["Cache-Control"] and "max-age" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = requests.get(f"{live.url}/api/sites/school/status", headers={**ALLOWED, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_status_answered_from_cache_is_the_answer_flask_gives(app, live):
    url = f"{live.url}/api/sites/school/status"
    first = requests.get(url, headers=ALLOWED)  # computed by the Flask route, which fills the caches

    def must_not_run(slug):
        raise AssertionError("the status route ran although the answer was cached")

    app.view_functions["widget_api.status"] = must_not_run
    cached = requests.get(url, headers=ALLOWED)
    assert cached.status_code == 200 and cached.content == first.content
    for header in ("ETag", "Content-Type", "Vary", "Access-Control-Allow-Origin", "Content-Length"):
        assert cached.headers[header] == first.headers[header], header
    assert cached.headers["Cache-Control"].startswith("public, max-age=")
    assert "Set-Cookie" not in cached.headers
    revalidated = requests.get(url, headers={**ALLOWED, "If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == first.headers["ETag"]
    stale = requests.get(url, headers={**ALLOWED, "If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_status_cache_never_lets_a_foreign_origin_or_unknown_site_through(live):
    url = f"{live.url}/api/sites/school/status"
    assert requests.get(url, headers=ALLOWED).status_code == 200  # caches now filled
    foreign = requests.get(url, headers={"Origin": "https://evil.test"})
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in foreign.headers
    assert requests.get(f"{live.url}/api/sites/nope/status", headers=ALLOWED).status_code == 404
    own = requests.get(url, headers={"Origin": live.url})  # the hosted /chat page
    assert own.status_code == 200 and own.headers["Access-Control-Allow-Origin"] == live.url
    head = requests.head(url, headers=ALLOWED)
    assert head.status_code == 200 and head.content == b""


@pytest.fixture
def closed_config(app_config):
    app_config["CHAT_HOURS"] = "24/7 off"
    return app_config


def test_closed_status_says_when_it_opens_and_refuses_requests(closed_config, live):
    body = requests.get(f"{live.url}/api/sites/school/status", headers=ALLOWED).json()
    assert body["open"] is False
    assert all(day["hours"] == [] for day in body["week"])
    response = requests.post(f"{live.url}/api/sites/school/conversations", json={"nickname": "Mila"},
                             headers=ALLOWED)
    assert response.status_code == 409 and response.json()["error"]["code"] == "closed"


def test_unknown_site_and_foreign_origin_get_clear_4xx(live):
    unknown = requests.get(f"{live.url}/api/sites/nope/status", headers=ALLOWED)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_site"
    foreign = requests.get(f"{live.url}/api/sites/school/status", headers={"Origin": "https://evil.test"})
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in foreign.headers
    post = requests.post(f"{live.url}/api/sites/school/conversations", json={"nickname": "Mila"},
                         headers={"Origin": "https://evil.test"})
    assert post.status_code == 403
    no_origin = requests.post(f"{live.url}/api/sites/school/conversations", json={"nickname": "Mila"})
    assert no_origin.status_code == 403


def test_preflight_allows_the_json_post_for_the_sites_origin(live):
    response = requests.options(f"{live.url}/api/sites/school/conversations",
                                headers={**ALLOWED, "Access-Control-Request-Method": "POST"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SITE_ORIGIN
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(("body", "field"), [
    ({"nickname": " a "}, "nickname"),
    ({"nickname": "x" * 25}, "nickname"),
    ({}, "nickname"),
    ({"nickname": "Mila", "visitor_role": "headmaster"}, "visitor_role"),
    ({"nickname": "Mila", "email": "mila@example.org"}, "email"),
    ({"nickname": "Mila", "ref": "<script>"}, "ref"),
])
def test_bad_chat_requests_get_422_and_store_nothing(app, live, body, field):
    response = requests.post(f"{live.url}/api/sites/school/conversations", json=body, headers=ALLOWED)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalars(select(Conversation)).all() == []


def test_not_json_gets_400(live):
    response = requests.post(f"{live.url}/api/sites/school/conversations", data="nickname=Mila",
                             headers={**ALLOWED, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_json"


def test_a_request_is_recorded_with_only_nickname_role_and_ref(app, live):
    response = requests.post(f"{live.url}/api/sites/school/conversations",
                             json={"nickname": "  Mila  ", "visitor_role": "parent", "ref": "onderwijskiezer"},
                             headers={**ALLOWED, "X-Forwarded-For": "203.0.113.9", "User-Agent": "Phone"})
    assert response.status_code == 201
    token = response.json()["token"]
    with app.app_context():
        conversation = db.session.scalars(select(Conversation)).one()
        assert (conversation.nickname, conversation.visitor_role, conversation.ref) == ("Mila", "parent",
                                                                                         "onderwijskiezer")
        assert conversation.status == "waiting" and conversation.token_hash != token
        stored = " ".join(str(v) for v in conversation.__dict__.values())
        assert "203.0.113.9" not in stored and "Phone" not in stored


@pytest.fixture
def small_queue(app_config):
    app_config["QUEUE_MAX"] = 2
    return app_config


def test_a_full_queue_turns_visitors_away_with_alternatives_and_records_it(small_queue, app, live):
    for name in ("Anna", "Bert"):
        assert requests.post(f"{live.url}/api/sites/school/conversations", json={"nickname": name},
                             headers=ALLOWED).status_code == 201
    busy = requests.post(f"{live.url}/api/sites/school/conversations", json={"nickname": "Cas"}, headers=ALLOWED)
    assert busy.status_code == 409
    error = busy.json()["error"]
    assert error["code"] == "queue_full" and error["alternatives"][0]["name"] == "Awel"
    with app.app_context():
        outcomes = [c.outcome for c in db.session.scalars(select(Conversation).order_by(Conversation.id))]
    assert outcomes == [None, None, "turned_away"]


def test_widget_files_are_served_for_any_origin(live):
    response = requests.get(f"{live.url}/widget.js")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert "javascript" in response.headers["Content-Type"]


def test_hosted_chat_page_embeds_the_widget_and_keeps_only_a_well_formed_ref(live):
    page = requests.get(f"{live.url}/chat/school?ref=onderwijskiezer")
    assert page.status_code == 200 and "widget.js" in page.text and "onderwijskiezer" in page.text
    hostile = requests.get(f"{live.url}/chat/school", params={"ref": '"><script>alert(1)</script>'})
    assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.text


def test_an_invalid_schedule_is_rejected_at_configuration_time(app_config):
    app_config["CHAT_HOURS"] = "Mo-Fr 25:00-99:00"
    with pytest.raises(InvalidSchedule, match="Mo-Fr 25:00-99:00"):
        clbchat.create_app(app_config)
