"""The letters of the 59-FZ article 11 outcomes, as prefilled texts the clerk may edit before issuing.

Each text is a gettext msgid with placeholders filled from the appeal (its number and registration
date, the applicant's name, the earlier appeals); the letter's language is the organisation's. The
law's wording is kept close: a court or a prosecutor reads these letters against the article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from models import Appeal, Correspondent
from models.enums import LetterKind
from services.notify import N_, Translator

DATE_FORMAT = "%d.%m.%Y"
LAW = N_("Federal Law No. 59-FZ of 02.05.2006 “On the procedure for considering appeals of citizens”")

TITLES = {
    LetterKind.ANONYMOUS_FORWARD: N_("On forwarding an appeal"),
    LetterKind.ABUSIVE_NOTICE: N_("On the inadmissibility of abuse of the right"),
    LetterKind.UNREADABLE_NOTICE: N_("On your appeal"),
    LetterKind.CORRESPONDENCE_STOPPED: N_("On stopping correspondence"),
}

BODIES = {
    LetterKind.ANONYMOUS_FORWARD: N_(
        "In accordance with part 1 of article 11 of %(law)s we forward to you, for consideration within "
        "your competence, the appeal registered on %(date)s under No. %(number)s.\n\n"
        "The appeal does not give the surname of the person who sent it or an address for the answer; "
        "it contains information about an unlawful act being prepared, being committed or committed, "
        "or about the person preparing, committing or having committed it."
    ),
    LetterKind.ABUSIVE_NOTICE: N_(
        "Dear %(name)s,\n\n"
        "your appeal registered on %(date)s under No. %(number)s contains obscene or offensive "
        "expressions or threats to the life, health or property of an official or members of their "
        "family. In accordance with part 3 of article 11 of %(law)s it is left without an answer on "
        "the merits of the questions raised in it.\n\n"
        "We inform you that abuse of the right to appeal is not acceptable. An appeal written in "
        "correct terms will be considered in the established order."
    ),
    LetterKind.UNREADABLE_NOTICE: N_(
        "Dear %(name)s,\n\n"
        "the text of your appeal registered on %(date)s under No. %(number)s cannot be read. In "
        "accordance with part 4 of article 11 of %(law)s no answer is given to it and it is not "
        "forwarded to another body or official.\n\n"
        "You may send the appeal again with a text that can be read."
    ),
    LetterKind.CORRESPONDENCE_STOPPED: N_(
        "Dear %(name)s,\n\n"
        "your appeal registered on %(date)s under No. %(number)s raises a question to which you have "
        "repeatedly been given written answers on the merits in connection with your earlier appeals "
        "(%(earlier)s), and it brings no new arguments or circumstances.\n\n"
        "In accordance with part 5 of article 11 of %(law)s a decision has been taken that this "
        "appeal is unfounded and that correspondence with you on this question is stopped."
    ),
}
EARLIER_ITEM = N_("No. %(number)s of %(date)s")
NO_NAME = N_("applicant")  # the salutation when no name is known (a paper letter without one)


@dataclass(frozen=True, slots=True)
class LetterText:
    """A letter's title and body as the clerk confirmed them in the form."""

    title: str
    body: str


def local_date(appeal: Appeal, tz: ZoneInfo) -> str:
    return appeal.registered_at.astimezone(tz).strftime(DATE_FORMAT)


def earlier_list(earlier: Sequence[Appeal], t: Translator, tz: ZoneInfo) -> str:
    return "; ".join(t(EARLIER_ITEM, number=a.reg_number, date=local_date(a, tz)) for a in earlier)


def default_letter(
    kind: str,
    appeal: Appeal,
    correspondent: Correspondent | None,
    *,
    locale: str,
    tz: ZoneInfo,
    earlier: Sequence[Appeal] = (),
) -> LetterText:
    """The prefilled letter of ``kind`` (a ``LetterKind`` of the article 11 outcomes)."""
    t = Translator(locale)
    body = t(
        BODIES[kind],
        law=t(LAW),
        number=appeal.reg_number,
        date=local_date(appeal, tz),
        name=(correspondent.name if correspondent and correspondent.name else t(NO_NAME)),
        earlier=earlier_list(earlier, t, tz),
    )
    return LetterText(title=t(TITLES[kind]), body=body)
