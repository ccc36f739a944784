"""Referral snippets: what a counsellor sees, finding one by a few letters, who may change which, the
checks on every field, when a partner's details are stale; and the crisis mark on a chat."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from clbchat.domain import conversations, crisis, snippets
from clbchat.domain.errors import DomainError
from clbchat.domain.snippets import SnippetInput
from clbchat.models import Snippet

from .conftest import T0

TODAY = T0.date()
DEFAULTS = ["Je eigen CLB", "Awel 102", "Zelfmoordlijn 1813", "Tele-Onthaal 106", "Onderwijskiezer", "112", "Afronden"]


def own(**changes) -> SnippetInput:
    return SnippetInput(**{"title": "Huiswerkbegeleiding", "body": "De bib helpt elke woensdag.",
                           "category": "eigen", **changes})


def refused(action) -> DomainError:
    with pytest.raises(DomainError) as info:
        action()
    return info.value


def titles(found) -> list[str]:
    return [s.title for s in found]


def test_a_counsellor_sees_the_default_library_and_their_own_not_others_or_retired(session, counsellor, make_user):
    jonas = make_user("jonas")
    assert sorted(titles(snippets.visible(session, counsellor))) == sorted(DEFAULTS)
    mine = snippets.create(session, counsellor, own(), library=False, now=T0)
    snippets.create(session, jonas, own(title="Van Jonas"), library=False, now=T0)
    retired = snippets.create(session, counsellor, own(title="Oud"), library=False, now=T0)
    snippets.retire(session, retired.id, counsellor, T0)

    seen = snippets.visible(session, counsellor)

    assert titles(seen)[-1] == "Huiswerkbegeleiding" and "Van Jonas" not in titles(seen) and "Oud" not in titles(seen)
    assert snippets.view(mine, TODAY)["library"] is False
    assert session.scalar(select(func.count()).select_from(Snippet)) == len(DEFAULTS) + 3  # retired, not deleted


@pytest.mark.parametrize(("query", "first"), [
    ("awel", "Awel 102"),
    ("AW", "Awel 102"),
    ("zelfm", "Zelfmoordlijn 1813"),
    ("onthaal", "Tele-Onthaal 106"),  # a word inside the title
    ("clb", "Je eigen CLB"),
    ("112", "112"),
    ("kiezer", "Onderwijskiezer"),  # inside a word
])
def test_a_few_letters_find_the_snippet_first(session, counsellor, query, first):
    assert titles(snippets.search(snippets.visible(session, counsellor), query))[0] == first


def test_search_ignores_case_and_accents_and_ranks_titles_before_text(session, counsellor):
    snippets.create(session, counsellor, own(title="Coördinator bellen", body="Vraag naar Awel niet."),
                    library=False, now=T0)
    library = snippets.visible(session, counsellor)
    assert titles(snippets.search(library, "COORD")) == ["Coördinator bellen"]
    assert titles(snippets.search(library, "coörd")) == ["Coördinator bellen"]
    assert titles(snippets.search(library, "awel")) == ["Awel 102", "Coördinator bellen"]
    assert snippets.search(library, "zzz") == []
    assert len(snippets.search(library, "  ")) == len(DEFAULTS) + 1


def test_partner_details_never_or_long_ago_checked_are_stale(session, counsellor, coordinator):
    by_title = {s.title: s for s in snippets.visible(session, coordinator)}
    # The defaults were never checked; "Je eigen CLB" and "Afronden" name no partner: never stale.
    stale = {t for t, s in by_title.items() if snippets.is_stale(s, TODAY)}
    assert stale == set(DEFAULTS) - {"Je eigen CLB", "Afronden"}

    awel = by_title["Awel 102"]
    snippets.change(session, awel.id, coordinator, SnippetInput(last_checked=TODAY - timedelta(days=365)),
                    {"last_checked"}, T0)
    assert not snippets.is_stale(awel, TODAY)
    assert snippets.is_stale(awel, TODAY + timedelta(days=1))
    assert snippets.view(awel, TODAY)["stale"] is False


def test_only_a_coordinator_adds_or_changes_library_snippets(session, counsellor, coordinator):
    awel_id = next(s.id for s in snippets.visible(session, counsellor) if s.title == "Awel 102")
    assert refused(lambda: snippets.create(session, counsellor, own(), library=True, now=T0)).code == "forbidden"
    error = refused(lambda: snippets.change(session, awel_id, counsellor, SnippetInput(body="x"), {"body"}, T0))
    assert (error.code, error.details["field"]) == ("forbidden", "library")
    assert refused(lambda: snippets.retire(session, awel_id, counsellor, T0)).code == "forbidden"

    added = snippets.create(session, coordinator, own(result_code="referral_partner"), library=True, now=T0)
    assert added.owner_id is None
    changed = snippets.change(session, awel_id, coordinator, SnippetInput(partner_phone="+32 102"),
                              {"partner_phone"}, T0)
    assert (changed.partner_phone, changed.title) == ("+32 102", "Awel 102")  # fields not sent are kept


def test_another_counsellors_snippet_is_not_found_and_a_retired_one_cannot_change(session, counsellor, make_user):
    mine = snippets.create(session, counsellor, own(), library=False, now=T0)
    jonas = make_user("jonas")
    assert refused(lambda: snippets.change(session, mine.id, jonas, SnippetInput(title="x"), {"title"}, T0)).code \
        == "not_found"
    snippets.retire(session, mine.id, counsellor, T0)
    assert refused(lambda: snippets.retire(session, mine.id, counsellor, T0)).code == "not_found"
    assert refused(lambda: snippets.change(session, 999, counsellor, SnippetInput(title="x"), {"title"}, T0)).code \
        == "not_found"


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": ""}, "title"),
    ({"title": "  "}, "title"),
    ({"title": "x" * 81}, "title"),
    ({"body": "x" * 2001}, "body"),
    ({"category": ""}, "category"),
    ({"category": "x" * 41}, "category"),
    ({"partner_url": "javascript:alert(1)"}, "partner_url"),
    ({"partner_url": "ftp://awel.be"}, "partner_url"),
    ({"partner_url": "https://"}, "partner_url"),
    ({"partner_phone": "102-abc"}, "partner_phone"),
    ({"partner_phone": "10+2"}, "partner_phone"),
    ({"partner_name": "x" * 81}, "partner_name"),
    ({"last_checked": TODAY + timedelta(days=2)}, "last_checked"),
    ({"result_code": "no_such_result"}, "result_code"),
    ({"title": None}, "title"),
])
def test_bad_fields_are_named_and_nothing_is_stored(session, counsellor, changes, field):
    before = session.scalar(select(func.count()).select_from(Snippet))
    error = refused(lambda: snippets.create(session, counsellor, own(**changes), library=False, now=T0))
    assert (error.code, error.details["field"]) == ("invalid", field)
    assert session.scalar(select(func.count()).select_from(Snippet)) == before


def test_good_fields_are_kept_trimmed_and_empty_optional_ones_become_none(session, counsellor):
    saved = snippets.create(session, counsellor, own(title="  Awel  ", partner_phone="+32 2 102 ",
                                                     partner_url="http://www.awel.be/chat?x=1", partner_name="",
                                                     last_checked=date(2026, 1, 5), result_code="referral_partner"),
                            library=False, now=T0)
    assert (saved.title, saved.partner_phone, saved.partner_name) == ("Awel", "+32 2 102", None)
    assert snippets.view(saved, TODAY)["stale"] is False


def test_the_chats_counsellor_marks_and_unmarks_it_as_crisis(session, active_chat, counsellor, make_user):
    later = T0 + timedelta(minutes=10)
    assert crisis.mark(session, active_chat.id, counsellor, True, later).crisis_at == later
    assert crisis.mark(session, active_chat.id, counsellor, True, later + timedelta(minutes=1)).crisis_at == later
    jonas = make_user("jonas")
    assert refused(lambda: crisis.mark(session, active_chat.id, jonas, True, later)).code == "not_your_chat"
    assert crisis.mark(session, active_chat.id, counsellor, False, later).crisis_at is None

    conversations.end(session, active_chat, "counsellor", later, [])
    assert refused(lambda: crisis.mark(session, active_chat.id, counsellor, True, later)).code == "wrong_state"
    assert refused(lambda: crisis.mark(session, 999, counsellor, True, later)).code == "not_found"


def test_the_duration_thresholds_default_to_35_and_45_minutes_and_can_be_set():
    from clbchat.config import from_env

    env = {"SECRET_KEY": "test"}  # nothing written to var/
    defaults = from_env(env)
    assert (defaults["DURATION_HINT_MINUTES"], defaults["DURATION_WARNING_MINUTES"]) == (35, 45)
    changed = from_env({**env, "DURATION_HINT_MINUTES": "25", "DURATION_WARNING_MINUTES": "40"})
    assert (changed["DURATION_HINT_MINUTES"], changed["DURATION_WARNING_MINUTES"]) == (25, 40)
