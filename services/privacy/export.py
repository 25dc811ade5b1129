"""A person's data on request (152-FZ art. 14): one ZIP with a machine-readable JSON, a readable
profile (TXT) and appeals table (CSV), the consent log and the files they sent.

The JSON keeps stable field names and ISO 8601 times in UTC (for programs); the TXT and the CSV are
for the person: labels in the reader's language and times in the organisation's zone.

The rows are read in the request's session; the archive is built off the event loop (file reads and
compression), and the export is audited.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Category, ConsentRecord, Correspondent, StoredFile, User, utcnow
from models.enums import CorrespondentKind
from porucheno.i18n import gettext
from services import files as stored_files
from services.appeals.labels import APPEAL_CHANNEL_LABELS, APPEAL_STATUS_LABELS
from services.audit import Actor, record
from services.errors import NotFound
from services.notify import N_, Translator
from services.privacy import consent, rights
from services.privacy.audience_data import export_audience
from services.privacy.form_answers import export_submissions

# The appeals table's columns: the JSON's field and the header the reader sees.
APPEAL_COLUMNS = (
    ("reg_number", N_("Registration number")),
    ("registered_at", N_("Registered")),
    ("channel", N_("Channel")),
    ("category", N_("Category")),
    ("status", N_("Status")),
    ("address", N_("Address")),
    ("contact_phone", N_("Contact phone")),
    ("contact_email", N_("Contact e-mail")),
    ("due_at", N_("Answer due")),
    ("answered_at", N_("Answered")),
    ("text", N_("Text")),
    ("answer_text", N_("Answer")),
)
PROFILE_LABELS = {
    "id": N_("Record number"),
    "kind": N_("Kind"),
    "name": N_("Full name"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "telegram_id": N_("Telegram ID"),
    "postal_address": N_("Postal address"),
    "organisation_inn": N_("INN"),
    "notes": N_("Notes"),
    "created_at": N_("Record created"),
    "merged_records": N_("Merged records"),
}
TIME_FIELDS = {"created_at", "registered_at", "due_at", "answered_at", "given_at"}
# Codes the JSON keeps as they are and the TXT and the CSV put in words.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "kind": {CorrespondentKind.PERSON: N_("Person"), CorrespondentKind.ORGANISATION: N_("Organisation")},
    "channel": APPEAL_CHANNEL_LABELS,  # a consent's channels are among the appeals' ones
    "status": APPEAL_STATUS_LABELS,
    "decision": consent.DECISION_LABELS,
    "purpose": consent.PURPOSE_LABELS,
}


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads the TXT and the CSV: their language and the organisation's time zone."""

    locale: str
    tz: tzinfo

    def time(self, iso: str | None) -> str:
        """A stored UTC time as the reader's wall clock («05.12.2026 14:30»)."""
        if not iso:
            return ""
        return datetime.fromisoformat(iso).astimezone(self.tz).strftime("%d.%m.%Y %H:%M")

    def value(self, key: str, value: Any) -> str:
        if value is None:
            return ""
        if key in TIME_FIELDS:
            return self.time(value)
        if isinstance(value, str) and value in VALUE_LABELS.get(key, {}):
            return gettext(self.locale, VALUE_LABELS[key][value])
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)


@dataclass(frozen=True, slots=True)
class FileEntry:
    id: int
    name: str
    path: Path | None  # None: the bytes are gone from FILES_DIR


@dataclass(slots=True)
class PersonData:
    profile: dict[str, Any]
    appeals: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    form_submissions: list[dict[str, Any]] = field(default_factory=list)
    # Events, applications, volunteering, the consent to mailings (services/privacy/audience_data.py).
    audience: dict[str, Any] = field(default_factory=dict)
    files: list[FileEntry] = field(default_factory=list)
    exported_at: str = ""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def _records_of(session: AsyncSession, correspondent_id: int) -> list[int]:
    """The person's record and the records merged into it (the same person, earlier)."""
    merged = await session.scalars(
        select(Correspondent.id).where(Correspondent.merged_into_id == correspondent_id)
    )
    return [correspondent_id, *merged.all()]


async def gather(session: AsyncSession, correspondent_id: int, files_dir: Path) -> PersonData:
    c = await session.get(Correspondent, correspondent_id)
    if c is None:
        raise NotFound("Correspondent not found.")
    ids = await _records_of(session, c.id)
    profile = {
        "id": c.id,
        "kind": c.kind,
        "name": c.name,
        "phone": c.phone,
        "email": c.email,
        "telegram_id": c.telegram_id,
        "postal_address": c.postal_address,
        "organisation_inn": c.organisation_inn,
        "notes": c.notes,
        "created_at": _iso(c.created_at),
        "merged_records": ids[1:],
    }
    appeals: Sequence[Appeal] = (
        await session.scalars(
            select(Appeal).where(Appeal.correspondent_id.in_(ids)).order_by(Appeal.registered_at, Appeal.id)
        )
    ).all()
    names = {cid: name for cid, name in await session.execute(select(Category.id, Category.name_ru))}
    data = PersonData(profile=profile, exported_at=utcnow().isoformat())
    for a in appeals:
        data.appeals.append(
            {
                "id": a.id,
                "reg_number": a.reg_number,
                "registered_at": _iso(a.registered_at),
                "channel": a.channel,
                "category": names.get(a.category_id, "") if a.category_id else "",
                "status": a.status,
                "subject": a.subject,
                "text": a.text,
                "address": a.address,
                "contact_phone": a.contact_phone,
                "contact_email": a.contact_email,
                "telegram_id": a.telegram_id,
                "due_at": _iso(a.due_at),
                "answered_at": _iso(a.answered_at),
                "answer_text": a.answer_text,
            }
        )
    appeal_ids = [a.id for a in appeals]
    if appeal_ids:
        stored = (
            await session.scalars(
                select(StoredFile).where(StoredFile.appeal_id.in_(appeal_ids)).order_by(StoredFile.id)
            )
        ).all()
        for f in stored:
            path = stored_files.file_path(files_dir, f)
            data.files.append(FileEntry(f.id, f.original_name or f"file-{f.id}", path))
    data.form_submissions, form_files = await export_submissions(session, ids)
    data.audience = await export_audience(session, ids)
    for f in form_files:
        data.files.append(
            FileEntry(f.id, f.original_name or f"file-{f.id}", stored_files.file_path(files_dir, f))
        )
    consents = (
        await session.scalars(
            select(ConsentRecord).where(ConsentRecord.correspondent_id.in_(ids)).order_by(ConsentRecord.id)
        )
    ).all()
    data.consents = [
        {
            "given_at": _iso(r.given_at),
            "channel": r.channel,
            "purpose": r.purpose,
            "consent_version": r.consent_version,
            "decision": r.decision,
            "appeal_id": r.appeal_id,
        }
        for r in consents
    ]
    return data


def _profile_txt(data: PersonData, reader: Reader) -> str:
    t = Translator(reader.locale)
    lines = [f"{t(PROFILE_LABELS.get(key, key))}: {reader.value(key, v)}" for key, v in data.profile.items()]
    lines += [
        "",
        f"{t('Appeals')}: {len(data.appeals)}",
        f"{t('Exported')}: {reader.time(data.exported_at)}",
        "",
        f"{t('Consents')}:",
    ]
    lines += [
        "  "
        + t(
            "%(time)s: %(decision)s, %(purpose)s (%(channel)s, text version %(version)s)",
            time=reader.time(r["given_at"]),
            decision=reader.value("decision", r["decision"]),
            purpose=reader.value("purpose", r["purpose"]),
            channel=reader.value("channel", r["channel"]),
            version=r["consent_version"],
        )
        for r in data.consents
    ]
    return "\n".join(lines) + "\n"


def _appeals_csv(data: PersonData, reader: Reader) -> str:
    t = Translator(reader.locale)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(label) for _key, label in APPEAL_COLUMNS])
    for a in data.appeals:
        writer.writerow([reader.value(key, a.get(key)) for key, _label in APPEAL_COLUMNS])
    return "\ufeff" + out.getvalue()  # BOM: spreadsheets open the Cyrillic right


def build_zip(data: PersonData, reader: Reader) -> bytes:
    """The archive (blocking: run it in a thread)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        payload = {
            "profile": data.profile,
            "appeals": data.appeals,
            "consents": data.consents,
            "form_submissions": data.form_submissions,
            **data.audience,
            "files": [{"id": f.id, "name": f.name} for f in data.files],
            "exported_at": data.exported_at,
        }
        z.writestr("data.json", json.dumps(payload, ensure_ascii=False, indent=2))
        z.writestr("profile.txt", _profile_txt(data, reader))
        z.writestr("appeals.csv", _appeals_csv(data, reader))
        for f in data.files:
            safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in f.name)[:100]
            if f.path is not None and f.path.is_file():
                z.writestr(f"files/{f.id}-{safe}", f.path.read_bytes())
    return buffer.getvalue()


async def export_zip(
    session: AsyncSession, user: User, correspondent_id: int, files_dir: Path, reader: Reader
) -> tuple[Correspondent, bytes]:
    """The person's data as a ZIP, for staff who handle such requests; audited."""
    rights.check(user)
    data = await gather(session, correspondent_id, files_dir)
    content = await asyncio.to_thread(build_zip, data, reader)
    record(
        session,
        Actor(user_id=user.id),
        "correspondent",
        correspondent_id,
        "pd_exported",
        data={"appeals": len(data.appeals), "files": len(data.files)},
    )
    c = await session.get(Correspondent, correspondent_id)
    assert c is not None
    return c, content
