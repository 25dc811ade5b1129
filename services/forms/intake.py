"""An answered form lands on a CRM card: ``submit(session, SubmissionInput)``.

Identity (binding): personal data goes only to a proven identity. A Telegram id (the bot, or the
bot's signed personal web link) finds the person's card; typed contacts never attach to an existing
card: on the web without a link they make a new card, and a match with another card becomes a
duplicate suggestion for a clerk. Typed contacts fill only what a card lacks, as unproven.

Exactly once: the caller gives a ``dedup_key`` (the web page's one-time form key, the bot's
conversation key); a repeated submit with it returns the first submission instead of a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Correspondent, Form, FormField, FormSubmission
from models.enums import FieldKind, SubmissionChannel
from services import files
from services.audience import tags
from services.audit import Actor, record
from services.correspondents import directory, normalize_email, normalize_phone, suggestions
from services.correspondents.contact import ContactInput
from services.errors import InvalidInput, NotFound
from services.forms import hooks
from services.forms.definitions import fields_of
from services.forms.validation import validate
from services.notify import NoticeContext, Translator
from services.privacy import consent as privacy_consent


@dataclass(frozen=True, slots=True)
class IncomingFile:
    data: bytes
    filename: str | None = None
    telegram_file_id: str | None = None
    telegram_file_unique_id: str | None = None


@dataclass
class SubmissionInput:
    form_id: int
    channel: str
    # {field key: what was typed or pressed}; files go in ``files`` under their field's key.
    answers: dict[str, Any]
    consent_version: int
    files: dict[str, list[IncomingFile]] = field(default_factory=dict)
    # Proven identity: the bot's sender, or the Telegram id of a verified personal web link.
    telegram_id: int | None = None
    telegram_name: str | None = None
    # A phone shared with Telegram's contact button (proven), in the phone field's answer too.
    proven_phone: str | None = None
    files_dir: Path | None = None  # settings.files_dir: needed when the form takes files
    dedup_key: str | None = None
    ip: str | None = None
    locale: str = "ru"
    # The time zone, default language and panel address of the notices the answer causes (an
    # event's confirmation, the application's number, the consent request): the entry point's.
    notify: NoticeContext | None = None


@dataclass
class SubmitResult:
    submission: FormSubmission | None = None
    correspondent: Correspondent | None = None
    errors: dict[str, str] = field(default_factory=dict)
    repeated: bool = False  # the dedup key was seen: the first submission is returned
    # What the purpose did, for the thank-you page (a seat or the waiting list, a number…).
    notes: list[hooks.Note] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.submission is not None


def check_answers(fields: list[FormField], data: SubmissionInput) -> tuple[dict[str, Any], dict[str, str]]:
    """Every field through the one validation; files counted and checked by their bytes."""
    t = Translator(data.locale)
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in fields:
        if item.kind == FieldKind.FILE:
            incoming = data.files.get(item.key, [])
            checked = validate(item, incoming or None, data.locale)
            for one in incoming:
                try:
                    files.check_file(one.data, one.filename)
                except InvalidInput as exc:
                    checked = type(checked)(error=f"{one.filename or '—'}: {t(exc.message, **exc.params)}")
                    break
        else:
            checked = validate(item, data.answers.get(item.key), data.locale)
        if checked.error:
            errors[item.key] = checked.error
        elif checked.value is not None:
            answers[item.key] = checked.value
    return answers, errors


async def _existing(session: AsyncSession, dedup_key: str | None) -> FormSubmission | None:
    if not dedup_key:
        return None
    return await session.scalar(select(FormSubmission).where(FormSubmission.dedup_key == dedup_key))


async def submit(session: AsyncSession, data: SubmissionInput) -> SubmitResult:
    """Store the answers on the person's card (see the module's notes); the caller commits.

    Field errors come back in ``errors`` (nothing stored); an inactive or unknown form is NotFound."""
    form = await session.get(Form, data.form_id)
    if form is None or not form.is_active:
        raise NotFound("This form is not available.")
    earlier = await _existing(session, data.dedup_key)
    if earlier is not None:
        card = (
            await session.get(Correspondent, earlier.correspondent_id) if earlier.correspondent_id else None
        )
        return SubmitResult(submission=earlier, correspondent=card, repeated=True)
    if data.channel not in set(SubmissionChannel):
        raise InvalidInput("Unknown channel.")
    # Forms (events, applications, questionnaires) are the institution's own activities: their consent.
    if await privacy_consent.by_version(session, data.consent_version, privacy_consent.ACTIVITIES) is None:
        raise InvalidInput("The consent text could not be found. Please read it again and tick the box.")
    fields = await fields_of(session, form.id)
    answers, errors = check_answers(fields, data)
    if errors:
        return SubmitResult(errors=errors)

    actor = Actor(telegram_id=data.telegram_id) if data.telegram_id else Actor(label="web-form")
    typed = _typed_contacts(fields, answers, mapped_only=False)
    card = await _card(session, data, _typed_contacts(fields, answers, mapped_only=True), actor)
    submission = FormSubmission(
        form_id=form.id,
        correspondent_id=card.id,
        channel=data.channel,
        telegram_id=data.telegram_id,
        answers=answers,
        contact_email=typed.get("email"),
        contact_phone=typed.get("phone"),
        dedup_key=(data.dedup_key or None) and data.dedup_key[:191],
        ip=data.ip,
        locale=data.locale[:8],
    )
    try:
        async with session.begin_nested():
            session.add(submission)
            await session.flush()
    except IntegrityError:
        # The same key at the same moment (a double press racing itself): the first one stands.
        earlier = await _existing(session, data.dedup_key)
        if earlier is None:
            raise
        return SubmitResult(submission=earlier, correspondent=card, repeated=True)

    await _store_files(session, data, fields, submission)
    await tags.add(session, card.id, form.tags or [], source=f"form:{form.id}", actor=actor)
    await privacy_consent.log(
        session,
        privacy_consent.ConsentEntry(
            channel="telegram" if data.channel == SubmissionChannel.TELEGRAM else "web",
            version=data.consent_version,
            telegram_id=data.telegram_id,
            correspondent_id=card.id,
            ip=data.ip,
            purpose=privacy_consent.ACTIVITIES,
        ),
    )
    record(
        session,
        actor,
        "form_submission",
        submission.id,
        "created",
        data={"form_id": form.id, "channel": data.channel, "correspondent_id": card.id},
    )
    notes = await hooks.run(
        session, form, fields, submission, card, actor=actor, email=typed.get("email"), notify=data.notify
    )
    return SubmitResult(submission=submission, correspondent=card, notes=notes)


def _typed_contacts(fields: list[FormField], answers: dict[str, Any], *, mapped_only: bool) -> dict[str, str]:
    """The answers of fields that fill a card field (``maps_to``): what the card may take. Without
    ``mapped_only`` the first phone and e-mail fields count too: the submission keeps them as typed
    contacts (a school's e-mail asked about a child is the form's, not the person's card's)."""
    typed: dict[str, str] = {}
    for item in fields:
        value = answers.get(item.key)
        if not isinstance(value, str) or not value:
            continue
        target = item.maps_to
        if target is None and not mapped_only and item.kind in (FieldKind.PHONE, FieldKind.EMAIL):
            target = item.kind
        if target and target not in typed:
            typed[target] = value
    return typed


async def _card(
    session: AsyncSession, data: SubmissionInput, typed: dict[str, str], actor: Actor
) -> Correspondent:
    """The proven person's card (``typed``: the answers of fields mapped to card fields)."""
    proven_phone = normalize_phone(data.proven_phone) if data.proven_phone else None
    contact = ContactInput(
        name=typed.get("name") or data.telegram_name,
        telegram_id=data.telegram_id,
        phone=data.proven_phone if proven_phone else typed.get("phone"),
        phone_proven=proven_phone is not None,
        email=typed.get("email"),
    )
    card = await directory.find_or_create(session, contact, actor=actor)
    added = _fill_typed(card, typed)
    if added:
        record(
            session, actor, "correspondent", card.id, "contacts_added", data={"fields": added, "typed": True}
        )
    # A typed contact someone else's card has too: a clerk decides whether they are one person.
    phone = normalize_phone(typed.get("phone")) if typed.get("phone") else None
    email = normalize_email(typed.get("email")) if typed.get("email") else None
    if phone or email:
        await session.flush()
        await suggestions.suggest(session, card, phone=phone, email=email, appeal_id=None, actor=actor)
    return card


def _fill_typed(card: Correspondent, typed: dict[str, str]) -> list[str]:
    """What the card lacks, from typed answers, never marked proven and never overwriting."""
    added = []
    phone = normalize_phone(typed.get("phone")) if typed.get("phone") else None
    if phone and not card.phone_normalized:
        card.phone, card.phone_normalized, card.phone_proven = typed["phone"][:32], phone, False
        added.append("phone")
    email = normalize_email(typed.get("email")) if typed.get("email") else None
    if email and not card.email:
        card.email, card.email_proven = email, False
        added.append("email")
    name = (typed.get("name") or "").strip()
    if name and card.name in ("—", card.email, card.phone, f"Telegram {card.telegram_id}"):
        card.name = name[:255]
        added.append("name")
    return added


async def _store_files(
    session: AsyncSession, data: SubmissionInput, fields: list[FormField], submission: FormSubmission
) -> None:
    answers = dict(submission.answers)
    for item in fields:
        stored_ids = []
        for one in data.files.get(item.key, []) if item.kind == FieldKind.FILE else []:
            if data.files_dir is None:
                raise InvalidInput("Files cannot be received here.")
            stored = await files.store_file(
                session,
                data.files_dir,
                one.data,
                filename=one.filename,
                origin=files.FileOrigin(
                    uploaded_by_telegram_id=data.telegram_id,
                    telegram_file_id=one.telegram_file_id,
                    telegram_file_unique_id=one.telegram_file_unique_id,
                ),
            )
            stored.form_submission_id = submission.id
            stored_ids.append(stored.id)
        if stored_ids:
            answers[item.key] = stored_ids
    if answers != submission.answers:
        submission.answers = answers
        await session.flush()
