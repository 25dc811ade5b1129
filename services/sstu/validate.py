"""What the portal would refuse, found before the upload: a list of problems per appeal number.

The download is allowed only when this list is empty (the panel checks again on the server).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from services.notify import N_
from services.sstu.report import CONSIDERED, MAX_ATTACHMENT_BYTES, WITH_RESPONSE, SstuReport, Status

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# The standard thematic classifier: раздел.тематика.тема.вопрос, four groups of four digits.
CODE_RE = re.compile(r"^\d{4}\.\d{4}\.\d{4}\.\d{4}$")


@dataclass(frozen=True, slots=True)
class Problem:
    """``message`` is an English msgid with ``params``; ``number`` is empty for the whole report."""

    number: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    settings_link: bool = False  # fixed in Settings → Organisation


def valid_guid(value: str | None) -> bool:
    return bool(value) and bool(GUID_RE.match(value or ""))


def validate(report: SstuReport) -> list[Problem]:
    problems: list[Problem] = []
    if not report.department_id:
        problems.append(
            Problem("", N_("The organisation's SSTU.RF identifier is not set."), settings_link=True)
        )
    elif not valid_guid(report.department_id):
        problems.append(
            Problem("", N_("The organisation's SSTU.RF identifier is not a GUID."), settings_link=True)
        )
    for appeal in report.appeals:
        number = appeal.number
        if not appeal.questions:
            problems.append(Problem(number, N_("The appeal has no questions.")))
        for position, question in enumerate(appeal.questions, start=1):
            params = {"n": position}
            if not question.code:
                problems.append(Problem(number, N_("Question %(n)s: no classifier code."), params))
            elif not CODE_RE.match(question.code):
                problems.append(
                    Problem(
                        number,
                        N_(
                            "Question %(n)s: the classifier code %(code)s is not of the form "
                            "0000.0000.0000.0000."
                        ),
                        params | {"code": question.code},
                    )
                )
            if question.incoming_date is None:
                problems.append(Problem(number, N_("Question %(n)s: no incoming date."), params))
            if question.status != Status.NOT_REGISTERED and question.registration_date is None:
                problems.append(Problem(number, N_("Question %(n)s: no registration date."), params))
            if question.status in WITH_RESPONSE and question.response_date is None:
                problems.append(Problem(number, N_("Question %(n)s: no response date."), params))
            if question.status in CONSIDERED:
                if question.attachment is None:
                    problems.append(
                        Problem(number, N_("Question %(n)s: no answer document to attach."), params)
                    )
                elif question.attachment.size >= MAX_ATTACHMENT_BYTES:
                    problems.append(
                        Problem(number, N_("Question %(n)s: the answer document is 10 MB or larger."), params)
                    )
            if question.status == Status.TRANSFERRED:
                transfer = question.transfer
                if transfer is None or not transfer.department_id:
                    problems.append(
                        Problem(
                            number,
                            N_(
                                "Question %(n)s: redirected, but the receiving body's SSTU.RF id "
                                "is not recorded."
                            ),
                            params,
                        )
                    )
                elif not valid_guid(transfer.department_id):
                    problems.append(
                        Problem(
                            number,
                            N_("Question %(n)s: the receiving body's SSTU.RF id is not a GUID."),
                            params,
                        )
                    )
                if transfer is None or transfer.transfer_date is None:
                    problems.append(Problem(number, N_("Question %(n)s: no redirection date."), params))
                if transfer is None or not transfer.transfer_number:
                    problems.append(
                        Problem(
                            number,
                            N_("Question %(n)s: no covering letter (its number is the transfer number)."),
                            params,
                        )
                    )
    return problems
