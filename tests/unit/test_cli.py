"""The `flask` commands through Flask's CLI runner: origins checked, users not overwritten by accident,
weak passwords refused, users listed and deactivated, sites listed and removed, writes that wait for
SQLite's write lock like the service's own."""

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clbchat import sqlite_locking
from clbchat.auth import authenticate
from clbchat.cli import upsert_user
from clbchat.domain import conversations
from clbchat.extensions import db
from clbchat.models import Conversation, Message, Site, User
from clbchat.unit_of_work import reading

from .conftest import T0

GOOD_PASSWORD = "paars-fietsslot-42"


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def run(*args: str):
        result = runner.invoke(args=list(args))
        db.session.remove()  # the test reads afresh, as another process would
        return result

    return run


@pytest.fixture
def chat(session, active_chat):
    """An active chat, committed: the command is another process and sees only committed data."""
    session.commit()
    return active_chat


def sites() -> dict[str, list[str]]:
    with reading() as session:
        return {s.slug: s.allowed_origins for s in session.scalars(select(Site))}


def user(username: str) -> User | None:
    with reading() as session:
        found = session.scalar(select(User).where(User.username == username))
        if found is not None:
            session.expunge(found)
        return found


@pytest.mark.parametrize("origin", [
    "www.school.be",                 # no scheme
    "https://www.school.be/",        # trailing slash
    "https://www.school.be/chat",    # a path
    "https://www.school.be?x=1",     # a query
    "https://*.school.be",           # wildcard
    "*",
    "ftp://www.school.be",           # not http(s)
    "javascript://www.school.be",
    "https://kim@www.school.be",     # user info
    "https://www.school.be:99999",   # port out of range
    "https://www.school.be:http",
    "https://school_be",             # not a host name
    "https://",
])
def test_add_site_rejects_what_is_not_an_origin(run, origin):
    result = run("add-site", "school", "--name", "Testschool", "--origin", "https://ok.school.be",
                 "--origin", origin)
    assert result.exit_code != 0
    assert "origin" in result.output.lower() and repr(origin) in result.output
    assert sites() == {}  # nothing saved, not even the good origin


def test_add_site_saves_origins_as_browsers_send_them(run):
    result = run("add-site", "school", "--name", "Testschool", "--origin", "HTTPS://WWW.School.be:443",
                 "--origin", "http://localhost:8000", "--origin", "http://[::1]:8080")
    assert result.exit_code == 0, result.output
    assert "30 seconds" in result.output  # when running workers see it
    assert sites() == {"school": ["http://[::1]:8080", "http://localhost:8000", "https://www.school.be"]}


def test_add_site_rejects_a_slug_that_is_no_url_part(run):
    result = run("add-site", "Mijn School", "--name", "x", "--origin", "https://www.school.be")
    assert result.exit_code != 0 and "slug" in result.output
    assert sites() == {}


def test_create_user_does_not_overwrite_an_existing_user_unless_asked(run):
    created = run("create-user", "kim", "--display-name", "Kim", "--role", "coordinator", "--password", GOOD_PASSWORD)
    assert created.exit_code == 0, created.output
    assert user("kim").role == "coordinator"

    again = run("create-user", "kim", "--display-name", "Kimberly", "--password", "een-heel-ander-wachtwoord")
    assert again.exit_code != 0 and "--update" in again.output
    kept = user("kim")
    assert (kept.display_name, kept.role) == ("Kim", "coordinator")
    assert authenticate("kim", GOOD_PASSWORD) is not None
    db.session.remove()

    updated = run("create-user", "kim", "--display-name", "Kimberly", "--update", "--password",
                  "een-heel-ander-wachtwoord")
    assert updated.exit_code == 0, updated.output
    assert user("kim").display_name == "Kimberly" and user("kim").role == "counsellor"
    assert authenticate("kim", "een-heel-ander-wachtwoord") is not None


def test_update_of_a_user_who_does_not_exist_is_refused(run):
    result = run("create-user", "nobody", "--display-name", "X", "--update", "--password", GOOD_PASSWORD)
    assert result.exit_code != 0 and user("nobody") is None


@pytest.mark.parametrize("password, reason", [
    ("kort-wwoord", "12 characters"),
    ("wachtwoord123", "attacker"),
    ("Password1234", "attacker"),
    ("aaaaaaaaaaaaaaaa", "attacker"),
    ("sofie-is-de-beste", "user name"),
])
def test_create_user_rejects_weak_passwords(run, password, reason):
    result = run("create-user", "sofie", "--display-name", "Sofie", "--password", password)
    assert result.exit_code != 0
    assert reason in result.output
    assert user("sofie") is None


def test_users_are_listed_and_a_deactivated_user_cannot_log_in(app, run):
    upsert_user("sofie", "Sofie", "counsellor", GOOD_PASSWORD)
    upsert_user("kim", "Kim", "coordinator", GOOD_PASSWORD, max_chats=3)
    listed = run("list-users")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split() == ["username", "name", "role", "discipline", "home", "CLB", "max", "chats", "status"]
    assert lines[1].split() == ["kim", "Kim", "coordinator", "other", "-", "3", "active"]
    assert lines[2].split() == ["sofie", "Sofie", "counsellor", "other", "-", "-", "active"]

    console = app.test_client()  # sofie is logged in when she is deactivated
    token = console.get("/console/login").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    assert console.post("/console/login", data={"username": "sofie", "password": GOOD_PASSWORD,
                                                "csrf_token": token}).status_code == 302
    assert console.get("/console/").status_code == 200

    deactivated = run("deactivate-user", "sofie")
    assert deactivated.exit_code == 0, deactivated.output
    assert console.get("/console/").status_code == 302  # back to the login form
    assert authenticate("sofie", GOOD_PASSWORD) is None
    assert authenticate("kim", GOOD_PASSWORD) is not None
    db.session.remove()
    assert run("list-users").output.splitlines()[2].split()[-1] == "deactivated"
    with app.test_client() as client:  # the console's login form says no too
        assert client.post("/console/login", data={"username": "sofie", "password": GOOD_PASSWORD}).status_code \
            in (400, 401)

    assert run("activate-user", "sofie").exit_code == 0
    assert authenticate("sofie", GOOD_PASSWORD) is not None
    assert run("deactivate-user", "nobody").exit_code != 0


def test_deactivating_a_user_with_open_chats_says_so(run, chat):
    result = run("deactivate-user", "sofie")
    assert result.exit_code == 0
    assert "1 open chat" in result.output


def test_sites_are_listed_and_removed(run):
    assert run("add-site", "school", "--name", "Testschool", "--origin", "https://www.school.be",
               "--hide-when-closed").exit_code == 0
    assert run("add-site", "clb-gent", "--name", "CLB Gent", "--origin", "https://www.clbgent.be").exit_code == 0
    listed = run("list-sites").output.splitlines()
    assert [line.split()[0] for line in listed] == ["slug", "clb-gent", "school"]
    assert "https://www.school.be" in listed[2] and "hidden" in listed[2]

    removed = run("remove-site", "clb-gent")
    assert removed.exit_code == 0, removed.output
    assert set(sites()) == {"school"}
    assert run("remove-site", "clb-gent").exit_code != 0  # gone already: says so


def test_a_site_with_chats_going_on_is_not_removed(run, chat):
    result = run("remove-site", "school")
    assert result.exit_code != 0 and "active" in result.output
    assert set(sites()) == {"school"}


def test_a_site_with_history_is_removed_only_with_delete_history(session, run, active_chat):
    conversations.post_message(session, active_chat.id, "visitor", "m1", "Hallo", T0 + timedelta(minutes=2), [])
    conversations.end(session, active_chat, "counsellor", T0 + timedelta(minutes=20), [])
    session.commit()
    session.remove()
    refused = run("remove-site", "school")
    assert refused.exit_code != 0 and "--delete-history" in refused.output
    assert set(sites()) == {"school"}

    removed = run("remove-site", "school", "--delete-history")
    assert removed.exit_code == 0, removed.output
    with reading() as s:
        assert sites() == {}
        assert s.scalar(select(func.count()).select_from(Conversation)) == 0
        assert s.scalar(select(func.count()).select_from(Message)) == 0


def test_cli_writes_wait_for_the_sqlite_write_lock(app, run, monkeypatch):
    """The connection's busy timeout is 0: a plain commit would fail with 'database is locked' while
    the service writes. The command waits its turn (in Python) like the service's own writes."""
    other = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), timeout=0,
                            isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a worker in the middle of a write
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 3:
            other.execute("COMMIT")

    monkeypatch.setattr(sqlite_locking.time, "sleep", sleep)
    result = run("add-site", "school", "--name", "Testschool", "--origin", "https://www.school.be")
    assert result.exit_code == 0, result.output
    assert len(waits) == 3
    assert sites() == {"school": ["https://www.school.be"]}
    other.close()


def test_purge_transcripts_runs_in_a_unit_of_work(run):
    result = run("purge-transcripts")
    assert result.exit_code == 0 and "stripped 0 conversations" in result.output


def test_demo_setup_is_idempotent(run):
    assert run("demo-setup").exit_code == 0
    assert run("demo-setup").exit_code == 0
    assert set(sites()) == {"demo", "demo-hidden"}
    with reading() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 3
        assert {u.discipline for u in session.scalars(select(User))} == {"psycho_pedagogue", "nurse", "social_worker"}



def test_create_user_takes_a_discipline_and_a_home_clb(run):
    assert run("add-clb", "vclb-antw", "--name", "Vrij CLB Antwerpen", "--network", "Vrij CLB Netwerk").exit_code == 0
    created = run("create-user", "an", "--display-name", "An", "--discipline", "nurse", "--home-clb", "vclb-antw",
                  "--password", GOOD_PASSWORD)
    assert created.exit_code == 0, created.output
    with reading() as session:
        an = session.scalar(select(User).where(User.username == "an"))
        assert (an.discipline, an.home_clb.code, an.medically_trained) == ("nurse", "vclb-antw", True)
    listed = run("list-users")
    assert "nurse" in listed.output and "vclb-antw" in listed.output
    assert "Vrij CLB Antwerpen" in run("list-clbs").output


def test_unknown_disciplines_and_clbs_are_refused_and_nothing_is_stored(run):
    bad_discipline = run("create-user", "an", "--display-name", "An", "--discipline", "astronaut",
                         "--password", GOOD_PASSWORD)
    unknown_clb = run("create-user", "an", "--display-name", "An", "--home-clb", "nope", "--password", GOOD_PASSWORD)
    assert bad_discipline.exit_code != 0 and "astronaut" in bad_discipline.output
    assert unknown_clb.exit_code != 0 and "nope" in unknown_clb.output
    assert user("an") is None
    assert run("add-clb", "x" * 30, "--name", "Te lang").exit_code != 0
    run("add-clb", "vclb-antw", "--name", "Vrij CLB Antwerpen")
    twice = run("add-clb", "vclb-antw", "--name", "Nog een")
    assert twice.exit_code != 0 and "al een CLB" in twice.output
