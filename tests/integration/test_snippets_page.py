"""The snippets page: a counsellor keeps their own snippets, a coordinator the library too; a stale
partner is marked until checked; bad input names the field and stores nothing."""

import re

import pytest
from sqlalchemy import func, select

from clbchat.cli import upsert_user
from clbchat.models import Snippet
from clbchat.unit_of_work import reading

from ..clients import Counsellor
from ..conftest import PASSWORD

NEW = {"title": "Jongerenadviescentrum", "category": "doorverwijzing", "body": "Bij het JAC kan je terecht.",
       "partner_name": "JAC", "partner_phone": "", "partner_url": "https://www.caw.be/jac", "last_checked": "",
       "result_code": "referral_partner"}


def token(staff: Counsellor) -> str:
    page = staff.http.get(f"{staff.live.url}/console/snippets", timeout=5).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def post(staff: Counsellor, path: str, **form):
    return staff.http.post(f"{staff.live.url}/console/snippets{path}", data={"csrf_token": token(staff), **form},
                           allow_redirects=False, timeout=5)


def snippet(app, title: str) -> Snippet | None:
    with app.app_context(), reading() as session:
        found = session.scalar(select(Snippet).where(Snippet.title == title))
        if found is not None:
            session.expunge(found)
        return found


@pytest.fixture
def coordinator(app, live) -> Counsellor:
    with app.app_context():
        upsert_user("coord", "Kim", "coordinator", PASSWORD)
    return Counsellor(live, "coord")


def test_a_counsellor_keeps_own_snippets_and_reads_the_library(app, live):
    sofie = Counsellor(live, "sofie")
    page = sofie.http.get(f"{live.url}/console/snippets", timeout=5).text
    assert "Awel 102" in page and "nog nooit gecontroleerd" in page

    assert post(sofie, "", **NEW).status_code == 302
    own = snippet(app, "Jongerenadviescentrum")
    assert own.owner_id is not None and own.result_code == "referral_partner"
    library = snippet(app, "Awel 102")
    refused = post(sofie, f"/{library.id}", action="retire")
    assert refused.status_code == 403 and snippet(app, "Awel 102").retired_at is None
    assert post(sofie, "", **NEW, library="1").status_code == 403


def test_a_coordinator_keeps_the_library_and_marks_details_checked(app, live, coordinator):
    awel = snippet(app, "Awel 102")
    assert post(coordinator, f"/{awel.id}", action="checked").status_code == 302
    assert snippet(app, "Awel 102").last_checked is not None
    page = coordinator.http.get(f"{live.url}/console/snippets", timeout=5).text
    awel_section = page.split(f'data-snippet-id="{awel.id}"')[1].split("</section>")[0]
    assert "gecontroleerd" not in awel_section.split("<form")[0]
    assert post(coordinator, "", **NEW, library="1").status_code == 302
    assert snippet(app, "Jongerenadviescentrum").owner_id is None


@pytest.mark.parametrize(("change", "field"), [
    ({"partner_url": "javascript:alert(1)"}, "partner_url"),
    ({"title": ""}, "title"),
    ({"last_checked": "2999-01-01"}, "last_checked"),
    ({"last_checked": "gisteren"}, "last_checked"),
    ({"result_code": "nope"}, "result_code"),
])
def test_bad_input_names_the_field_and_stores_nothing(app, live, change, field):
    sofie = Counsellor(live, "sofie")
    with app.app_context(), reading() as session:
        before = session.scalar(select(func.count()).select_from(Snippet))
    answer = post(sofie, "", **{**NEW, **change})
    assert answer.status_code == 422 and f'data-field="{field}"' in answer.text
    with app.app_context(), reading() as session:
        assert session.scalar(select(func.count()).select_from(Snippet)) == before
