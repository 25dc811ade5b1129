"""A person's full name as an appeal must carry it (59-FZ art. 7: surname, first name, patronymic if
any; art. 11 p. 1: without the surname no answer is given).

One rule for what a person types as their name (:func:`person_name`), and the name already known for
a messenger account (:func:`known_full_name`) — from the record that account holds, never from one
found by a phone or e-mail someone merely typed (152-FZ: one person's data is not shown to another).
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import CorrespondentKind
from services.correspondents.directory import own_record
from services.errors import InvalidInput
from services.textfold import fold

NAME_MAX_CHARS = 150  # a sensible bound for a surname, a name and a patronymic (and a double surname)
MAX_WORDS = 6  # «Мамедов Рашид Ильхам оглы», «Гарсия Лопес Мария де лос»…
MAX_WORD_LETTERS = 40
# Letters of any alphabet, joined by a hyphen or an apostrophe inside a word: «Петров-Водкин», «Д'Арк».
_WORD = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")
# Particles written in lower case inside a name («Мамедов Рашид Ильхам оглы», «Людвиг ван Бетховен»).
PARTICLES = frozenset(
    {"оглы", "кызы", "улы", "уулу", "ибн", "бин", "бинт", "де", "да", "ди", "дю", "ла", "ле"}
)
PARTICLES |= frozenset(
    {"фон", "ван", "дер", "van", "von", "de", "da", "di", "du", "der", "la", "le", "bin", "ibn"}
)


def _capitalised(word: str) -> str:
    """«иванов-петров» → «Иванов-Петров», «д'арк» → «Д'Арк»."""
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), word)


def _cased(words: list[str]) -> list[str]:
    """A name typed all in lower or all in upper case gets capitals; one typed with care stays as is."""
    letters = "".join(words)
    if letters != letters.lower() and letters != letters.upper():
        return words
    return [w.lower() if i and w.lower() in PARTICLES else _capitalised(w) for i, w in enumerate(words)]


def person_name(text: str | None) -> str:
    """The full name as typed, checked and tidied: «иванова  мария петровна» → «Иванова Мария Петровна».

    The surname and the first name are required, the patronymic is optional; only letters (any
    alphabet), hyphens and apostrophes inside words; no digits, no initials. Raises ``InvalidInput``
    saying what to fix."""
    # Commas between the parts and a full stop at the end are punctuation, not part of the name.
    cleaned = " ".join((text or "").replace(",", " ").split())
    if cleaned.endswith(".") and not re.search(r"(?:^|\s)[^\W\d_]\.$", cleaned):
        cleaned = cleaned[:-1].rstrip()
    words = cleaned.split(" ")
    value = cleaned
    if not value:
        raise InvalidInput("Please type your surname and first name.", field="name")
    if len(value) > NAME_MAX_CHARS:
        raise InvalidInput(
            "The full name is too long: at most %(n)d characters.", n=NAME_MAX_CHARS, field="name"
        )
    if any(ch.isdigit() for ch in value):
        raise InvalidInput(
            "A name has no digits. Please type your surname, first name and patronymic (if any).",
            field="name",
        )
    if any("." in w for w in words) or any(len(w) == 1 for w in words[1:]):
        raise InvalidInput(
            "Please write your first name and patronymic in full, not as initials.", field="name"
        )
    if any(not _WORD.match(w) for w in words):
        raise InvalidInput(
            "A name may hold only letters, a hyphen or an apostrophe. "
            "Please type your surname, first name and patronymic (if any).",
            field="name",
        )
    if len(words) < 2:
        raise InvalidInput(
            "Please type both your surname and first name (and your patronymic, if you have one).",
            field="name",
        )
    if len(words) > MAX_WORDS or any(
        len(w) > MAX_WORD_LETTERS or (len(w) >= 3 and len(set(fold(w))) == 1) for w in words
    ):
        raise InvalidInput(
            "This does not look like a name. Please type your surname, first name and patronymic (if any).",
            field="name",
        )
    return " ".join(_cased(words))


def is_person_name(text: str | None) -> bool:
    try:
        person_name(text)
    except InvalidInput:
        return False
    return True


async def known_full_name(
    session: AsyncSession, telegram_id: int, *, messenger_name: str | None = None
) -> str | None:
    """The full name on the record this messenger account holds (its own: linked to it or filed
    under its id), when it reads as one; None otherwise.

    ``messenger_name``: the account's profile name in the messenger. A record that still carries it
    was filed under it before the person was asked for their name, so it is not offered as theirs."""
    record = await own_record(session, telegram_id)
    if record is None or record.kind != CorrespondentKind.PERSON or not is_person_name(record.name):
        return None
    if messenger_name and fold(" ".join(messenger_name.split())) == fold(record.name):
        return None
    return person_name(record.name)
