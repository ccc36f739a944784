"""The registration after a chat: validation, who may write and correct it, list versions, and what
the retention purge leaves of it."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clbchat.domain import code_lists, conversations, queue, registration
from clbchat.domain.errors import DomainError
from clbchat.domain.registration import RegistrationInput
from clbchat.domain.retention import purge_transcripts
from clbchat.models import Registration, RegistrationChange

from .conftest import MAX_CHATS, T0

LATER = T0 + timedelta(hours=2)

ENDED = T0 + timedelta(minutes=20)


@pytest.fixture
def ended_chat(session, active_chat):
    conversations.end(session, active_chat, "counsellor", ENDED, [])
    return active_chat


def form(**changes) -> RegistrationInput:
    values = {"visitor_type": "pupil", "age": 15, "topics": ["study_choice"], "results": ["info_advice"]}
    return RegistrationInput(**{**values, **changes})


def refused(action) -> DomainError:
    with pytest.raises(DomainError) as info:
        action()
    return info.value


def test_a_registration_stores_codes_with_the_list_versions(session, ended_chat, counsellor):
    saved = registration.register(session, ended_chat.id, counsellor,
                                  form(topics=["bullying", "family"], results=["emotional_support", "referral_clb"],
                                       note="Kwam terug na vorige week."), ENDED)
    view = registration.view(saved)
    assert (view["topics"], view["results"]) == (["bullying", "family"], ["emotional_support", "referral_clb"])
    assert (view["topics_version"], view["results_version"], view["counsellor_id"]) == (1, 1, counsellor.id)
    assert view["note"] == "Kwam terug na vorige week."


@pytest.mark.parametrize(("changes", "field"), [
    ({"topics": ["no_such_topic"]}, "topics"),
    ({"results": ["info_advice", "info_advice"]}, "results"),
    ({"age": 5}, "age"),
    ({"age": 26}, "age"),
    ({"visitor_type": "robot"}, "visitor_type"),
    ({"note": "x" * 2001}, "note"),
    ({"topics": []}, "topics"),
])
def test_bad_input_names_the_field_and_stores_nothing(session, ended_chat, counsellor, changes, field):
    error = refused(lambda: registration.register(session, ended_chat.id, counsellor, form(**changes), ENDED))
    assert (error.code, error.details["field"]) == ("invalid", field)
    assert session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_prank_needs_nothing_else(session, ended_chat, counsellor):
    saved = registration.register(session, ended_chat.id, counsellor,
                                  RegistrationInput(visitor_type="pupil", prank=True), ENDED)
    assert saved.prank and saved.codes == [] and saved.age is None


def test_only_an_answered_chat_that_ended_and_is_yours_can_be_registered(session, ask, active_chat, counsellor,
                                                                         make_user):
    assert refused(lambda: registration.register(session, active_chat.id, counsellor, form(), ENDED)).code == \
        "wrong_state"
    waiting, _ = ask("Wacht", T0)
    conversations.end(session, session.get(type(active_chat), waiting.conversation_id), "visitor", ENDED, [])
    assert refused(lambda: registration.register(session, waiting.conversation_id, counsellor, form(),
                                                 ENDED)).code == "wrong_state"  # left before a pick-up
    conversations.end(session, active_chat, "visitor", ENDED, [])
    jonas = make_user("jonas")
    assert refused(lambda: registration.register(session, active_chat.id, jonas, form(), ENDED)).code == \
        "not_your_chat"
    registration.register(session, active_chat.id, counsellor, form(), ENDED)
    assert refused(lambda: registration.register(session, active_chat.id, counsellor, form(), ENDED)).code == \
        "already_registered"


def test_the_author_corrects_for_seven_days_then_only_a_coordinator(session, ended_chat, counsellor, coordinator,
                                                                    make_user):
    registration.register(session, ended_chat.id, counsellor, form(), ENDED)
    registration.correct(session, ended_chat.id, counsellor, form(age=16), ENDED + timedelta(days=6))
    jonas = make_user("jonas")
    assert refused(lambda: registration.correct(session, ended_chat.id, jonas, form(), ENDED)).code == \
        "not_your_chat"
    late = ENDED + timedelta(days=7, minutes=1)
    assert refused(lambda: registration.correct(session, ended_chat.id, counsellor, form(), late)).code == \
        "edit_window_closed"
    registration.correct(session, ended_chat.id, coordinator, form(age=17, crisis=True), late)

    session.expire_all()
    saved = session.get(Registration, ended_chat.id)
    assert (saved.age, saved.crisis, saved.updated_by, saved.counsellor_id) == (17, True, coordinator.id,
                                                                              counsellor.id)
    changes = session.scalars(select(RegistrationChange).order_by(RegistrationChange.id)).all()
    assert [(c.changed_by, c.changed_at) for c in changes] == [(counsellor.id, ENDED + timedelta(days=6)),
                                                              (coordinator.id, late)]
    assert '"age": 15' in changes[0].previous_json and '"age": 16' in changes[1].previous_json


def test_a_counsellor_sees_only_their_own_registrations_a_coordinator_all(session, ended_chat, counsellor,
                                                                          coordinator, make_user):
    registration.register(session, ended_chat.id, counsellor, form(), ENDED)
    assert registration.get_visible(session, ended_chat.id, coordinator, LATER).conversation_id == ended_chat.id
    assert refused(lambda: registration.get_visible(session, ended_chat.id, make_user("jonas"), LATER)).code == \
        "not_your_chat"


def test_retired_and_renamed_options_keep_old_registrations_meaning(session, ended_chat, counsellor, coordinator):
    registration.register(session, ended_chat.id, counsellor, form(topics=["suicidal_thoughts"]), ENDED)
    code_lists.rename_option(session, "topics", "suicidal_thoughts", "Gedachten aan zelfdoding", "wellbeing", ENDED)
    code_lists.retire_option(session, "topics", "exam_stress", ENDED)
    topics = code_lists.snapshot(session, "topics")
    assert topics.version == 3
    assert "exam_stress" not in topics.current_codes() and topics.labels()["exam_stress"] == "Examenstress"

    saved = session.get(Registration, ended_chat.id)
    assert ([c.code for c in saved.codes if c.list_name == "topics"], saved.topics_version) == (
        ["suicidal_thoughts"], 1)
    # A retired option can no longer be chosen, but a correction may keep one the registration had.
    error = refused(lambda: registration.correct(session, ended_chat.id, counsellor,
                                                 form(topics=["exam_stress"]), ENDED))
    assert error.details["field"] == "topics"
    code_lists.retire_option(session, "topics", "suicidal_thoughts", ENDED)
    kept = registration.correct(session, ended_chat.id, counsellor, form(topics=["suicidal_thoughts", "family"]),
                                ENDED)
    assert kept.topics_version == 4


def test_codes_are_never_reused(session):
    code_lists.retire_option(session, "results", "info_advice", T0)
    error = refused(lambda: code_lists.add_option(session, "results", "info_advice", "Info", None, T0))
    assert (error.code, error.details["field"]) == ("code_taken", "code")
    added = code_lists.add_option(session, "topics", "money", "Geld", "wellbeing", T0)
    assert added.added_in == code_lists.snapshot(session, "topics").version


def test_open_registrations_per_counsellor_and_for_the_coordinator(session, ask, counsellor, coordinator,
                                                                   make_user):
    jonas = make_user("jonas")
    chats = []
    for who in (counsellor, jonas, counsellor):
        request, _ = ask("V", T0)
        chat = queue.take(session, who, request.conversation_id, MAX_CHATS, T0, [])
        conversations.end(session, chat, "visitor", ENDED, [])
        chats.append(chat.id)
    registration.register(session, chats[2], counsellor, form(), ENDED)
    assert [r["conversation_id"] for r in registration.open_registrations(session, counsellor)] == [chats[0]]
    everyone = registration.open_registrations(session, coordinator)
    assert [(r["conversation_id"], r["counsellor"]) for r in everyone] == [(chats[0], "Sofie"), (chats[1], "Jonas")]


def test_the_purge_clears_the_note_and_keeps_the_codes(session, ended_chat, counsellor):
    registration.register(session, ended_chat.id, counsellor, form(note="intern"), ENDED)
    session.commit()
    assert purge_transcripts(session, timedelta(days=30), ENDED + timedelta(days=31)) == 1
    session.commit()
    session.expire_all()
    saved = session.get(Registration, ended_chat.id)
    assert saved.note is None
    assert (saved.age, saved.visitor_type, [c.code for c in saved.codes]) == (15, "pupil",
                                                                               ["info_advice", "study_choice"])


def test_a_coordinator_registering_a_chat_leaves_it_the_counsellors(session, ended_chat, counsellor, coordinator):
    saved = registration.register(session, ended_chat.id, coordinator, form(), ENDED)
    assert (saved.counsellor_id, saved.updated_by) == (counsellor.id, coordinator.id)
    assert registration.get_visible(session, ended_chat.id, counsellor, LATER).conversation_id == ended_chat.id
