"""The coded lists a registration is filled from (topics, results): reading them, and the only three
changes a coordinator can make, each of which bumps the list's version.

Codes are stable and never reused: an option is retired, never deleted, and renaming it changes its
label, not its meaning (reports count codes). A registration records the versions it was filled with.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from ..models import CodeList, CodeOption
from ..models.registration import CODE_LISTS
from .errors import DomainError

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,39}")
LABEL_MAX = 120
# The four CLB guidance domains that topics are grouped under (DOMAIN.md, "The CLB world").
TOPIC_GROUPS = {
    "learning": "Leren en studeren",
    "study_choice": "Onderwijsloopbaan",
    "wellbeing": "Psychisch en sociaal functioneren",
    "health": "Preventieve gezondheidszorg",
}


@dataclass(frozen=True)
class ListSnapshot:
    name: str
    version: int
    options: list[CodeOption]  # in display order, retired ones included (see `retired_in`)

    def current_codes(self) -> set[str]:
        return {o.code for o in self.options if o.retired_in is None}

    def labels(self) -> dict[str, str]:
        return {o.code: o.label for o in self.options}


def snapshot(session, name: str) -> ListSnapshot:
    _check_list(name)
    version = session.scalar(select(CodeList.version).where(CodeList.name == name))
    options = session.scalars(select(CodeOption).where(CodeOption.list_name == name)
                              .order_by(CodeOption.position, CodeOption.code)).all()
    return ListSnapshot(name, version, list(options))


def add_option(session, name: str, code: str, label: str, group_code: str | None, now: datetime) -> CodeOption:
    _check_list(name)
    if not CODE_PATTERN.fullmatch(code or ""):
        raise DomainError("invalid", "Een code is 2-40 kleine letters, cijfers of _, en begint met een letter.",
                          field="code")
    if session.get(CodeOption, (name, code)) is not None:
        raise DomainError("code_taken", "Deze code bestaat al (of bestond: codes worden nooit hergebruikt).",
                          field="code")
    label = _checked_label(label)
    group_code = _checked_group(name, group_code)
    version = _bump(session, name, now)
    last = session.scalar(select(CodeOption.position).where(CodeOption.list_name == name)
                          .order_by(CodeOption.position.desc()).limit(1))
    option = CodeOption(list_name=name, code=code, label=label, group_code=group_code,
                        position=(last or 0) + 1, added_in=version)
    session.add(option)
    session.flush()
    return option


def rename_option(session, name: str, code: str, label: str, group_code: str | None, now: datetime) -> CodeOption:
    option = _existing(session, name, code)
    option.label = _checked_label(label)
    option.group_code = _checked_group(name, group_code)
    _bump(session, name, now)
    session.flush()
    return option


def retire_option(session, name: str, code: str, now: datetime) -> CodeOption:
    option = _existing(session, name, code)
    if option.retired_in is not None:
        raise DomainError("wrong_state", "Deze optie is al uit gebruik.", field="code")
    option.retired_in = _bump(session, name, now)
    session.flush()
    return option


def _bump(session, name: str, now: datetime) -> int:
    """The next version of the list; a conditional UPDATE, so two coordinators' changes both count."""
    return session.execute(update(CodeList).where(CodeList.name == name)
                           .values(version=CodeList.version + 1, changed_at=now)
                           .returning(CodeList.version)).scalar_one()


def _existing(session, name: str, code: str) -> CodeOption:
    _check_list(name)
    option = session.get(CodeOption, (name, code))
    if option is None:
        raise DomainError("not_found", "Deze optie bestaat niet.", field="code")
    return option


def _check_list(name: str) -> None:
    if name not in CODE_LISTS:
        raise DomainError("not_found", "Deze lijst bestaat niet.", field="list")


def _checked_label(label: str) -> str:
    label = (label or "").strip()
    if not label or len(label) > LABEL_MAX:
        raise DomainError("invalid", f"Een naam is 1-{LABEL_MAX} tekens lang.", field="label")
    return label


def _checked_group(name: str, group_code: str | None) -> str | None:
    if name != "topics" or group_code is None:
        return None
    if group_code not in TOPIC_GROUPS:
        raise DomainError("invalid", "Kies een van de vier CLB-domeinen.", field="group_code")
    return group_code
