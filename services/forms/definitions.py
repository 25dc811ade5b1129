"""Forms and their fields as the panel defines them: slugs, kinds, rules, options, order; audited.

A form's slug is its public address (``/f/<slug>``) and its bot link (``/start form_<slug>``), so it
is short, Latin and unique, and fits Telegram's 64-character /start payload with the prefix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Form, FormField, FormSubmission, User, utcnow
from models.enums import FieldKind, FormPurpose
from services.audience.access import can_manage
from services.audience.tags import parse as parse_tags
from services.audit import Actor, record
from services.errors import InvalidInput, NotFound, PermissionDenied

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
RESERVED_SLUGS = frozenset({"done", "new", "static", "admin", "api"})
MAX_FIELDS = 40
MAX_OPTIONS = 30  # inline buttons in the bot stay usable
OPTION_VALUE_RE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")  # fits callback data with room to spare
CHOICE_KINDS = frozenset({FieldKind.CHOICE, FieldKind.MULTICHOICE})
MAPS_TO = {"name": (FieldKind.TEXT,), "phone": (FieldKind.PHONE,), "email": (FieldKind.EMAIL,)}


@dataclass
class FormDraft:
    slug: str
    title_ru: str
    title_en: str = ""
    description_ru: str = ""
    description_en: str = ""
    purpose: str = FormPurpose.GENERAL
    tags: str = ""  # typed, comma separated
    programme: str = ""
    thanks_ru: str = ""
    thanks_en: str = ""
    in_bot: bool = True
    event_id: int | None = None
    application_type_id: int | None = None


@dataclass
class FieldDraft:
    key: str
    kind: str
    label_ru: str
    label_en: str = ""
    help_ru: str = ""
    help_en: str = ""
    required: bool = False
    options: list[dict[str, str]] = field(default_factory=list)
    rules: dict[str, Any] = field(default_factory=dict)
    maps_to: str | None = None


def parse_options(text: str) -> list[dict[str, str]]:
    """Options typed one per line as ``value | русский | English`` (the value may be left out:
    then it is numbered)."""
    options = []
    for n, line in enumerate((ln for ln in text.splitlines() if ln.strip()), start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 1:
            options.append({"value": str(n), "ru": parts[0], "en": ""})
        elif len(parts) == 2:
            options.append({"value": str(n), "ru": parts[0], "en": parts[1]})
        else:
            options.append({"value": parts[0], "ru": parts[1], "en": parts[2]})
    return options


def options_text(options: Sequence[dict[str, Any]] | None) -> str:
    return "\n".join(f"{o.get('value')} | {o.get('ru', '')} | {o.get('en', '')}" for o in options or [])


def _clean(value: str, limit: int, what: str, *, required: bool = False) -> str:
    """``what`` names the input in the log only: the person reads which limit was broken."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput("Fill in the title, the question and every option's Russian text.")
    if len(value) > limit:
        raise InvalidInput("A text is too long: at most %(n)s characters here.", n=limit)
    return value


def _check_form(draft: FormDraft) -> dict[str, Any]:
    slug = (draft.slug or "").strip().lower()
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise InvalidInput("The address must be 2–40 Latin letters, digits or hyphens, like «kids-2026».")
    if draft.purpose not in set(FormPurpose):
        raise InvalidInput("Unknown purpose.")
    if draft.purpose == FormPurpose.EVENT and not draft.event_id:
        raise InvalidInput("A registration form needs an event.")
    if draft.purpose == FormPurpose.APPLICATION and not draft.application_type_id:
        raise InvalidInput("An application form needs an application type.")
    return {
        "slug": slug,
        "title_ru": _clean(draft.title_ru, 255, "Title", required=True),
        "title_en": _clean(draft.title_en, 255, "Title"),
        "description_ru": _clean(draft.description_ru, 4000, "Description"),
        "description_en": _clean(draft.description_en, 4000, "Description"),
        "purpose": draft.purpose,
        "tags": parse_tags(draft.tags)[:10],
        "programme": _clean(draft.programme, 128, "Programme") or None,
        "thanks_ru": _clean(draft.thanks_ru, 2000, "Thank-you text"),
        "thanks_en": _clean(draft.thanks_en, 2000, "Thank-you text"),
        "in_bot": bool(draft.in_bot),
        "event_id": draft.event_id if draft.purpose == FormPurpose.EVENT else None,
        "application_type_id": draft.application_type_id
        if draft.purpose == FormPurpose.APPLICATION
        else None,
    }


async def check_editor(session: AsyncSession, actor: Actor) -> None:
    """Forms are defined by managers and clerks (``services.audience.access``); a system actor (the
    demo, imports) may too; a resident never. Checked on every change, whatever the caller checked."""
    if actor.user_id is None and actor.telegram_id is None:
        return
    user = await session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not can_manage(user):
        raise PermissionDenied("Only managers and clerks may change forms.")


async def _slug_taken(session: AsyncSession, slug: str, form_id: int | None) -> bool:
    query = select(Form.id).where(Form.slug == slug)
    if form_id is not None:
        query = query.where(Form.id != form_id)
    return await session.scalar(query) is not None


async def create_form(session: AsyncSession, draft: FormDraft, *, actor: Actor) -> Form:
    await check_editor(session, actor)
    values = _check_form(draft)
    if await _slug_taken(session, values["slug"], None):
        raise InvalidInput("A form with this address exists already.")
    form = Form(**values, created_by_id=actor.user_id, is_active=True)
    session.add(form)
    await session.flush()
    record(session, actor, "form", form.id, "created", data={"slug": form.slug, "purpose": form.purpose})
    return form


async def update_form(session: AsyncSession, form_id: int, draft: FormDraft, *, actor: Actor) -> Form:
    await check_editor(session, actor)
    form = await get(session, form_id)
    values = _check_form(draft)
    if await _slug_taken(session, values["slug"], form.id):
        raise InvalidInput("A form with this address exists already.")
    changed = {k: v for k, v in values.items() if getattr(form, k) != v}
    for key, value in changed.items():
        setattr(form, key, value)
    if changed:
        form.updated_at = utcnow()
        record(session, actor, "form", form.id, "updated", data={"fields": sorted(changed)})
    return form


async def set_active(session: AsyncSession, form_id: int, active: bool, *, actor: Actor) -> Form:
    await check_editor(session, actor)
    form = await get(session, form_id)
    if form.is_active != active:
        form.is_active = active
        form.updated_at = utcnow()
        record(
            session,
            actor,
            "form",
            form.id,
            "activated" if active else "deactivated",
            old_state=str(not active),
            new_state=str(active),
        )
    return form


async def get(session: AsyncSession, form_id: int) -> Form:
    form = await session.get(Form, form_id)
    if form is None:
        raise NotFound("Form not found.")
    return form


async def by_slug(session: AsyncSession, slug: str, *, active_only: bool = True) -> Form | None:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        return None
    form = await session.scalar(select(Form).where(Form.slug == slug))
    if form is None or (active_only and not form.is_active):
        return None
    return form


async def all_forms(session: AsyncSession) -> Sequence[tuple[Form, int]]:
    """Every form with its number of answers, active first."""
    counts = (
        select(FormSubmission.form_id, func.count().label("n")).group_by(FormSubmission.form_id).subquery()
    )
    rows = await session.execute(
        select(Form, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.form_id == Form.id)
        .order_by(Form.is_active.desc(), Form.created_at.desc(), Form.id.desc())
    )
    return [(form, int(n)) for form, n in rows.all()]


async def bot_forms(session: AsyncSession) -> Sequence[Form]:
    """Active forms offered in the bot's menu."""
    rows = await session.scalars(
        select(Form).where(Form.is_active.is_(True), Form.in_bot.is_(True)).order_by(Form.title_ru, Form.id)
    )
    return list(rows)


async def fields_of(session: AsyncSession, form_id: int) -> list[FormField]:
    rows = await session.scalars(
        select(FormField).where(FormField.form_id == form_id).order_by(FormField.position, FormField.id)
    )
    return list(rows)


def _check_field(draft: FieldDraft) -> dict[str, Any]:
    key = (draft.key or "").strip().lower()
    if not KEY_RE.match(key):
        raise InvalidInput("The key must start with a Latin letter: letters, digits, underscores, up to 32.")
    if draft.kind not in set(FieldKind):
        raise InvalidInput("Unknown field kind.")
    options: list[dict[str, str]] | None = None
    if draft.kind in CHOICE_KINDS:
        options = []
        for option in draft.options:
            value = str(option.get("value", "")).strip()
            if not OPTION_VALUE_RE.match(value):
                raise InvalidInput("An option's value must be 1–24 Latin letters, digits, «-» or «_».")
            ru = _clean(str(option.get("ru", "")), 200, "Option", required=True)
            options.append({"value": value, "ru": ru, "en": _clean(str(option.get("en", "")), 200, "Option")})
        if not options:
            raise InvalidInput("A choice needs at least one option.")
        if len(options) > MAX_OPTIONS or len({o["value"] for o in options}) != len(options):
            raise InvalidInput("Options must be distinct, at most %(n)s.", n=MAX_OPTIONS)
    maps_to = draft.maps_to or None
    if maps_to is not None and draft.kind not in MAPS_TO.get(maps_to, ()):
        raise InvalidInput("This field cannot fill that card field.")
    return {
        "key": key,
        "kind": draft.kind,
        "label_ru": _clean(draft.label_ru, 500, "Label", required=True),
        "label_en": _clean(draft.label_en, 500, "Label"),
        "help_ru": _clean(draft.help_ru, 1000, "Hint"),
        "help_en": _clean(draft.help_en, 1000, "Hint"),
        "required": bool(draft.required),
        "options": options,
        "rules": _check_rules(draft.kind, draft.rules) or None,
        "maps_to": maps_to,
    }


def _check_rules(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    allowed = {
        FieldKind.TEXT: ("min_length", "max_length", "pattern"),
        FieldKind.TEXTAREA: ("min_length", "max_length"),
        FieldKind.NUMBER: ("min", "max"),
        FieldKind.FILE: ("max_files",),
        FieldKind.CONSENT: ("mailing",),
    }.get(FieldKind(kind), ())
    checked: dict[str, Any] = {}
    for name in allowed:
        value = raw.get(name)
        if value in (None, "", False):
            continue
        if name == "pattern":
            try:
                re.compile(str(value))
            except re.error as exc:
                raise InvalidInput("The pattern is not a valid regular expression.") from exc
            checked[name] = _clean(str(value), 200, "Pattern")
        elif name == "mailing":
            checked[name] = True
        else:
            try:
                number = float(value) if name in ("min", "max") else int(value)
            except (TypeError, ValueError) as exc:
                raise InvalidInput("Limits must be numbers.") from exc
            if name not in ("min", "max") and not 0 <= number <= 10_000:
                raise InvalidInput("Limits must be numbers.")
            checked[name] = int(number) if float(number).is_integer() else number
    if "max_files" in checked:
        checked["max_files"] = max(1, min(checked["max_files"], 10))
    return checked


async def add_field(session: AsyncSession, form_id: int, draft: FieldDraft, *, actor: Actor) -> FormField:
    await check_editor(session, actor)
    form = await get(session, form_id)
    values = _check_field(draft)
    fields = await fields_of(session, form.id)
    if len(fields) >= MAX_FIELDS:
        raise InvalidInput("A form has at most %(n)s fields.", n=MAX_FIELDS)
    if any(f.key == values["key"] for f in fields):
        raise InvalidInput("This form has a field with this key already.")
    item = FormField(form_id=form.id, position=len(fields), **values)
    session.add(item)
    await session.flush()
    record(session, actor, "form", form.id, "field_added", data={"key": item.key, "kind": item.kind})
    return item


async def _field(session: AsyncSession, form_id: int, field_id: int) -> FormField:
    item = await session.get(FormField, field_id)
    if item is None or item.form_id != form_id:
        raise NotFound("Field not found.")
    return item


async def update_field(
    session: AsyncSession, form_id: int, field_id: int, draft: FieldDraft, *, actor: Actor
) -> FormField:
    await check_editor(session, actor)
    item = await _field(session, form_id, field_id)
    values = _check_field(draft)
    if values["key"] != item.key and any(f.key == values["key"] for f in await fields_of(session, form_id)):
        raise InvalidInput("This form has a field with this key already.")
    changed = sorted(k for k, v in values.items() if getattr(item, k) != v)
    for key in changed:
        setattr(item, key, values[key])
    if changed:
        record(session, actor, "form", form_id, "field_updated", data={"key": item.key, "fields": changed})
    return item


async def delete_field(session: AsyncSession, form_id: int, field_id: int, *, actor: Actor) -> None:
    """Answers given already keep their value under the key (the panel still shows them)."""
    await check_editor(session, actor)
    item = await _field(session, form_id, field_id)
    await session.delete(item)
    await session.flush()
    for n, other in enumerate(await fields_of(session, form_id)):
        other.position = n
    record(session, actor, "form", form_id, "field_deleted", data={"key": item.key})


async def move_field(session: AsyncSession, form_id: int, field_id: int, step: int, *, actor: Actor) -> None:
    await check_editor(session, actor)
    fields = await fields_of(session, form_id)
    index = next((i for i, f in enumerate(fields) if f.id == field_id), None)
    if index is None:
        raise NotFound("Field not found.")
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(fields):
        return
    fields[index], fields[target] = fields[target], fields[index]
    for n, item in enumerate(fields):
        item.position = n
    record(session, actor, "form", form_id, "field_moved", data={"key": fields[target].key, "to": target})


def title_in(form: Form, locale: str) -> str:
    return form.title_en if locale == "en" and form.title_en else form.title_ru


def description_in(form: Form, locale: str) -> str:
    return form.description_en if locale == "en" and form.description_en else form.description_ru


def thanks_in(form: Form, locale: str) -> str:
    return form.thanks_en if locale == "en" and form.thanks_en else form.thanks_ru


def label_in(item: FormField, locale: str) -> str:
    return item.label_en if locale == "en" and item.label_en else item.label_ru


def help_in(item: FormField, locale: str) -> str:
    return item.help_en if locale == "en" and item.help_en else item.help_ru
