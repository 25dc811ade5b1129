"""Registering a paper letter by hand: the correspondent (found or new), the letter and its scans.

The scans are checked before anything is registered, so a wrong file costs the clerk one re-pick,
never a half-registered appeal; the typed fields come back as they were.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from admin_web.forms import EMAIL_RE, PHONE_RE, Form
from admin_web.i18n import N_, current_locale, gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views import uploads
from admin_web.views.appeals.common import STAFF_ROLES, page_url
from admin_web.views.appeals.listing import categories
from admin_web.views.common import int_or_none, notice_context, parse_local_date, zone
from models import Correspondent, utcnow
from models.enums import AppealChannel, CorrespondentKind
from services.appeals.categories import name_in as category_name
from services.appeals.intake import MAX_TEXT_CHARS, AppealInput, ContactInput, IncomingFile, register_appeal
from services.errors import DomainError
from services.files import MAX_FILE_BYTES

SCAN_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
MAX_SCANS = 10
MAX_REQUEST_BYTES = 60 * 1024 * 1024  # a few scans of up to 20 MB each; bigger ones get a clear refusal
KINDS = (CorrespondentKind.PERSON.value, CorrespondentKind.ORGANISATION.value)


async def _scans(fields: list[Any], errors: list[str]) -> list[IncomingFile]:
    """Read and check the chosen scans; every refusal is listed by file name."""
    accepted = await uploads.read_uploads(
        fields,
        errors,
        max_files=MAX_SCANS,
        allowed=SCAN_TYPES,
        # The generic message lists office files, which scans cannot be.
        type_refusal=N_("%(name)s: only PDF, JPEG or PNG scans are accepted."),
    )
    return [IncomingFile(data=u.data, filename=u.name, declared_mime=u.mime) for u in accepted]


async def _contact(request: web.Request, form: Form) -> ContactInput | None:
    """The chosen correspondent (even one with no contacts to match on), or the typed new one."""
    chosen = int_or_none(str(form.values.get("correspondent_id") or ""))
    if chosen is not None:
        existing = await request[DB_KEY].get(Correspondent, chosen)
        if existing is None:
            form.values["correspondent_id"] = ""
            form.fail("find", N_("This correspondent no longer exists; find or enter another."))
            return None
        while existing.merged_into_id is not None:  # a merged record points to the kept one
            kept = await request[DB_KEY].get(Correspondent, existing.merged_into_id)
            if kept is None:
                break
            existing = kept
        return ContactInput(name=existing.name, kind=existing.kind, existing_id=existing.id)
    name = form.text("name", max_length=255)
    kind = str(form.values.get("kind") or CorrespondentKind.PERSON.value)
    if kind not in KINDS:
        form.fail("kind", N_("Choose a value from the list."))
    phone = form.matching(
        "phone", PHONE_RE, N_("Enter a phone number, e.g. +7 900 123-45-67."), max_length=32
    )
    email = form.matching("email", EMAIL_RE, N_("Enter a valid e-mail address."))
    postal = form.text("postal_address", max_length=500)
    inn = form.text("organisation_inn", max_length=12)
    if not name:
        form.fail("name", N_("Find the correspondent above or enter the name of a new one."))
    return ContactInput(
        name=name, kind=kind, phone=phone, email=email, postal_address=postal, organisation_inn=inn
    )


def _received_at(form: Form, request: web.Request) -> datetime | None:
    """The incoming date stamped on the letter (59-FZ art. 8: registration within 3 days of it);
    empty or today: now. A later date is refused."""
    raw = form.text("received_on", max_length=10)
    if raw is None:
        return None
    tz = zone(request)
    start = parse_local_date(raw, tz)
    now = utcnow()
    if start is None:
        form.fail("received_on", N_("Enter a date."))
        return None
    if start > now:
        form.fail("received_on", N_("The date of receipt cannot be in the future."))
        return None
    return None if start.astimezone(tz).date() == now.astimezone(tz).date() else start


@requires_role(*STAFF_ROLES)
async def appeal_new(request: web.Request) -> web.StreamResponse:
    if request.method != "POST":
        return await _render(request, Form(values={"kind": CorrespondentKind.PERSON.value}), [])
    db = request[DB_KEY]
    data = await request.post()
    form = Form.posted(data)
    scan_errors: list[str] = []
    scans = await _scans(data.getall("scans", []), scan_errors)
    contact = await _contact(request, form)
    allowed = {c.id for c in await categories(request) if c.is_active}
    category_id = form.choice("category_id", allowed)
    subject = form.text("subject", max_length=500)
    text = form.text("text", max_length=MAX_TEXT_CHARS) or ""
    address = form.text("address", max_length=500)
    received_at = _received_at(form, request)
    if not text and not scans and not scan_errors:
        form.fail("text", N_("Enter the text of the letter or attach its scan."))
    if form.ok and not scan_errors and contact is not None:
        try:
            result = await register_appeal(
                db,
                AppealInput(
                    channel=AppealChannel.PAPER.value,
                    text=text,
                    contact=contact,
                    subject=subject,
                    category_id=category_id,
                    address=address,
                    files=scans,
                    received_at=received_at,
                ),
                actor=request[USER_KEY].actor,
                files_dir=request.config_dict[SETTINGS_KEY].files_dir,
                notify=notice_context(request),
            )
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            number = result.appeal.reg_number
            await flash(request, gettext("Appeal %(number)s is registered.", number=number))
            for rejected in result.rejected_files:
                await flash(request, f"{rejected.filename or '—'}: {gettext(rejected.reason)}")
            raise web.HTTPSeeOther(page_url(request, result.appeal.id))
    if scans and not form.ok:
        scan_errors.append(gettext("Please choose the scans again."))
    return await _render(request, form, scan_errors)


async def _render(request: web.Request, form: Form, scan_errors: list[str]) -> web.Response:
    chosen_id = int_or_none(str(form.values.get("correspondent_id") or ""))
    chosen = await request[DB_KEY].get(Correspondent, chosen_id) if chosen_id else None
    return await render(
        request,
        "appeals/new.html",
        {
            "form": form,
            "chosen": chosen,
            "category_options": [
                (c.id, category_name(c, current_locale.get()))
                for c in await categories(request)
                if c.is_active
            ],
            "scan_errors": scan_errors,
            "max_files": MAX_SCANS,
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "section": "appeals",
        },
    )
