"""The ССТУ.РФ report as plain data: one ``SstuAppeal`` per appeal with its ``SstuQuestion`` rows,
and the JSON object the portal's upload takes for each appeal.

Keys and their order follow the public integration code described in docs/sstu-export.md; keys
whose value is unknown (no e-mail, no attachment for an appeal in work) are left out rather than
sent empty, as the considered-status models there carry only what applies to that status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # the portal takes answers under 10 MB


class Status:
    """ССТУ question statuses (spelling as in the public client code)."""

    NOT_REGISTERED = "NotRegistered"
    IN_WORK = "InWork"
    EXPLAINED = "Explained"
    SUPPORTED = "Supported"
    NOT_SUPPORTED = "NotSupported"
    TRANSFERRED = "Transferred"
    ANSWERED = "Answered"
    LEFT_WITHOUT_ANSWER = "LeftWithoutAnswer"


# Considered on the merits: these carry the response date and the answer document.
CONSIDERED = frozenset({Status.EXPLAINED, Status.SUPPORTED, Status.NOT_SUPPORTED, Status.ANSWERED})
# Finished in any way: these carry a response date.
WITH_RESPONSE = CONSIDERED | {Status.LEFT_WITHOUT_ANSWER}


@dataclass(frozen=True, slots=True)
class Attachment:
    """The answer document: read from ``path`` only when the archive is packed."""

    name: str
    size: int
    path: Path


@dataclass(frozen=True, slots=True)
class Transfer:
    department_id: str | None  # the receiving body's ССТУ id
    transfer_date: date | None
    transfer_number: str | None  # the covering letter's outgoing number


@dataclass(frozen=True, slots=True)
class SstuQuestion:
    code: str | None
    status: str
    incoming_date: date | None
    registration_date: date | None
    response_date: date | None
    is_extend: bool
    attachment: Attachment | None = None
    actions_taken: bool | None = None  # only for Supported
    measures: str | None = None  # the measures' text: shown in the preview, not uploaded
    transfer: Transfer | None = None
    from_category: bool = False  # no question rows: the one question came from the topic


@dataclass(frozen=True, slots=True)
class SstuAppeal:
    appeal_id: int
    department_id: str | None
    is_direct: bool
    format: str  # "Electronic" | "Other"
    number: str
    create_date: date | None
    name: str | None
    address: str | None
    email: str | None
    questions: tuple[SstuQuestion, ...]


@dataclass(frozen=True, slots=True)
class SstuReport:
    year: int
    month: int
    department_id: str | None
    appeals: tuple[SstuAppeal, ...] = field(default_factory=tuple)

    @property
    def question_count(self) -> int:
        return sum(len(a.questions) for a in self.appeals)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None  # yyyy-MM-dd


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def question_json(question: SstuQuestion, attachment_content: str | None) -> dict[str, Any]:
    """One question; ``attachment_content`` is the answer file in base64 (None: no attachment)."""
    data: dict[str, Any] = {"code": question.code, "status": question.status}
    data["incomingDate"] = _day(question.incoming_date)
    if question.status != Status.NOT_REGISTERED:
        data["registrationDate"] = _day(question.registration_date)
        data["isExtend"] = question.is_extend
    if question.status in WITH_RESPONSE:
        data["responseDate"] = _day(question.response_date)
    if question.attachment is not None and attachment_content is not None:
        data["attachment"] = {"name": question.attachment.name, "content": attachment_content}
    if question.status == Status.SUPPORTED:
        data["actionsTaken"] = bool(question.actions_taken)
    if question.transfer is not None:
        data["transfer"] = {
            "departmentId": question.transfer.department_id,
            "transferDate": _day(question.transfer.transfer_date),
            "transferNumber": question.transfer.transfer_number,
        }
    return data


def appeal_json(appeal: SstuAppeal, contents: dict[Path, str]) -> dict[str, Any]:
    """The file uploaded for one appeal; ``contents`` maps attachment paths to base64 text."""
    head = _drop_none(
        {
            "departmentId": appeal.department_id,
            "isDirect": appeal.is_direct,
            "format": appeal.format,
            "number": appeal.number,
            "createDate": _day(appeal.create_date),
            "name": appeal.name,
            "address": appeal.address,
            "email": appeal.email,
        }
    )
    questions = [
        question_json(q, contents.get(q.attachment.path) if q.attachment is not None else None)
        for q in appeal.questions
    ]
    return head | {"questions": questions}
