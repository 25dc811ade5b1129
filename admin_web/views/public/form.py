"""The public appeal form: a resident writes to the administration without signing in.

Abuse is held off by a per-address and a global rate limit, a honeypot field and the CSRF token of
the anonymous session. Files are checked by their bytes before anything is registered, so a refused
file comes back as a form error instead of an appeal with a part missing.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from aiohttp_session import get_session

from admin_web.forms import EMAIL_RE, PHONE_RE, Form
from admin_web.i18n import N_, current_locale, gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.ratelimit import acquire_all, release_all
from admin_web.render import render
from admin_web.security import public
from admin_web.views import uploads
from admin_web.views.common import notice_context
from admin_web.views.public.common import (
    FLOOD_KEY,
    FLOOD_LIMITER_KEY,
    FORM_LIMITER_KEY,
    client_ip,
    local_date,
    too_many,
)
from admin_web.views.uploads import Upload
from models import Appeal
from models.enums import AppealChannel, AppealStatus
from services import files
from services.appeals import categories as appeal_categories
from services.appeals import notices
from services.appeals.intake import MAX_TEXT_CHARS, AppealInput, ContactInput, IncomingFile, register_appeal
from services.audit import Actor
from services.correspondents import normalize_phone
from services.correspondents.names import person_name
from services.errors import DomainError, InvalidInput
from services.notify import Translator
from services.privacy import consent as privacy_consent

MAX_FILES = 5
MAX_TOTAL_BYTES = 25 * 1024 * 1024
# The body cap for this route (app.py): the files plus the text fields and multipart overhead.
MAX_REQUEST_BYTES = MAX_TOTAL_BYTES + 1024 * 1024
HONEYPOT = "website"  # hidden from people; bots filling every input give themselves away
DONE_SESSION_KEY = "public_appeal"


async def active_categories(request: web.Request) -> list[tuple[int, str]]:
    """Categories a resident may choose, named and sorted in the page language."""
    locale = current_locale.get()
    # Never staff-only ones; ordered by the page's language with «Other» last (one rule with the bot).
    offered = await appeal_categories.offered(request[DB_KEY], staff=False, locale=locale)
    return [(c.id, appeal_categories.name_in(c, locale)) for c in offered]


@public
async def appeal_form(request: web.Request) -> web.StreamResponse:
    if request.method != "POST":
        return await _render(request, Form(), [])
    ip = client_ip(request)
    # The slots are taken before any await (see admin_web/ratelimit.py) and given back when the
    # post turns out to be a form with errors: those do not count, sent appeals and bots do.
    slots = ((request.config_dict[FORM_LIMITER_KEY], ip), (request.config_dict[FLOOD_LIMITER_KEY], FLOOD_KEY))
    wait = acquire_all(*slots)
    if wait:
        return await too_many(request, wait)

    data = await request.post()
    form = Form.posted(data)
    if form.values.get(HONEYPOT):
        release_all(slots[1])
        form.fail("", N_("The appeal could not be sent. Please try again."))
        return await _render(request, form, [])
    upload_errors: list[str] = []
    uploads = await _read_uploads(data.getall("attachments", []), upload_errors)
    appeal_input = await _validate(request, form, uploads)
    consent_version = await _consent_version(request, form)
    if form.ok and not upload_errors and consent_version is not None:
        try:
            result = await register_appeal(
                request[DB_KEY],
                appeal_input,
                actor=Actor(label="web-form"),
                files_dir=request.config_dict[SETTINGS_KEY].files_dir,
                notify=notice_context(request),
            )
        except DomainError as exc:
            await request[DB_KEY].rollback()
            form.fail_domain(exc)
        else:
            # The consent log (152-FZ): the version the form showed, the person and the appeal.
            await privacy_consent.log(
                request[DB_KEY],
                privacy_consent.ConsentEntry(
                    channel="web",
                    version=consent_version,
                    correspondent_id=result.appeal.correspondent_id,
                    appeal_id=result.appeal.id,
                    ip=ip,
                ),
            )
            session = await get_session(request)
            session[DONE_SESSION_KEY] = {
                "number": result.appeal.reg_number,
                "due": result.appeal.due_at.isoformat(),
                # Waiting for a clerk (manual registration, 59-FZ art. 8): the page says so, and
                # by when it is registered, instead of an answer date that is not counted yet.
                "registration_due": result.appeal.registration_due_at.isoformat()
                if result.appeal.status == AppealStatus.RECEIVED and result.appeal.registration_due_at
                else None,
                "rejected": [f"{f.filename or '—'}: {gettext(f.reason)}" for f in result.rejected_files],
                # Shown on the next page and then forgotten: only its hash is stored.
                "code": result.access_code,
                "route": await _route_without_contacts(request, result.appeal),
            }
            raise web.HTTPSeeOther(request.app.router["public_form_done"].url_for())
    release_all(*slots)
    if upload_errors:
        upload_errors.append(gettext("Please choose the files again."))
    return await _render(request, form, upload_errors)


async def _consent_version(request: web.Request, form: Form) -> int | None:
    """The consent version the form showed (a hidden field), checked to exist. A version published
    after the page was opened does not void what the person read: the shown one is logged. A form
    without the field (an old cached page) agreed to the current text."""
    raw = str(form.values.get("consent_version") or "").strip()
    if not raw:
        return (await privacy_consent.current(request[DB_KEY])).version
    if raw.isdigit() and len(raw) < 9 and await privacy_consent.by_version(request[DB_KEY], int(raw)):
        return int(raw)
    form.fail("consent", N_("The consent text could not be found. Please read it again and tick the box."))
    form.values["consent"] = ""
    return None


async def _route_without_contacts(request: web.Request, appeal: Appeal) -> dict[str, object] | None:
    """How the answer reaches the applicant: the e-mail address they gave, or, with neither e-mail
    nor Telegram (only a phone), the status page and a call."""
    route = await notices.answer_route(request[DB_KEY], notice_context(request), appeal)
    if not route.by_hand:
        return {"email": route.email} if route.email else None
    return {"postal": route.postal_address, "phone": route.phone, "status_page": route.status_page}


def _answer_email(raw: object) -> str | None:
    return str(raw["email"]) if isinstance(raw, dict) and raw.get("email") else None


def _route_lines(raw: object) -> list[str]:
    if not isinstance(raw, dict) or raw.get("email"):
        return []
    route = notices.AnswerRoute(
        postal_address=raw.get("postal"), phone=raw.get("phone"), status_page=bool(raw.get("status_page"))
    )
    return notices.route_lines(route, Translator(current_locale.get()))


async def _read_uploads(fields: list[object], errors: list[str]) -> list[Upload]:
    return await uploads.read_uploads(fields, errors, max_files=MAX_FILES, max_total_bytes=MAX_TOTAL_BYTES)


async def _validate(request: web.Request, form: Form, uploads: list[Upload]) -> AppealInput:
    name = form.text("name", required=True, max_length=255)
    if name:
        # 59-FZ art. 7: the surname and the name (the patronymic if any), checked as in the bot.
        try:
            name = person_name(name)
        except InvalidInput as exc:
            form.fail_domain(exc)
    email = form.matching("email", EMAIL_RE, N_("Enter an e-mail address like name@example.ru."))
    phone = form.matching("phone", PHONE_RE, N_("Enter a phone number like +7 900 123-45-67."))
    if phone and "phone" not in form.errors and normalize_phone(phone) is None:
        form.fail("phone", N_("Enter a phone number like +7 900 123-45-67."))
    if not email and not phone:
        form.fail("email", N_("Give an e-mail address or a phone number so we can answer you."))
    categories = await active_categories(request)
    category_id = form.choice("category_id", {cid for cid, _name in categories})
    if categories and category_id is None and "category_id" not in form.errors:
        form.fail("category_id", N_("Choose a topic."))
    address = form.text("address", max_length=500)
    text = form.text("text", required=True, max_length=MAX_TEXT_CHARS)
    if not form.flag("consent"):
        form.fail("consent", N_("Your consent is needed to register the appeal."))
    return AppealInput(
        channel=AppealChannel.WEB,
        text=text or "",
        # Typed contacts prove nothing: a new record, kept with the appeal; a match with an
        # existing person only becomes a suggestion for a clerk (see ``services.correspondents``).
        contact=ContactInput(name=name, phone=phone, email=email),
        category_id=category_id,
        address=address,
        contact_phone=phone,
        reply_to=email,
        files=[IncomingFile(data=u.data, filename=u.name, declared_mime=u.mime) for u in uploads],
    )


@public
async def appeal_done(request: web.Request) -> web.StreamResponse:
    """The registration number, shown after the redirect so a reload does not send the form again."""
    session = await get_session(request)
    done = session.get(DONE_SESSION_KEY)
    if not isinstance(done, dict):
        raise web.HTTPSeeOther(request.app.router["public_form"].url_for())
    due = datetime.fromisoformat(done["due"])
    code = done.pop("code", None)
    session[DONE_SESSION_KEY] = done  # the code is shown once; a reload shows the number only
    return await render(
        request,
        "public/done.html",
        {
            "number": done["number"],
            "due": local_date(request, due),
            "registration_due": local_date(request, datetime.fromisoformat(done["registration_due"]))
            if done.get("registration_due")
            else None,
            "rejected": done.get("rejected", []),
            "code": code,
            "route_lines": _route_lines(done.get("route")),
            "answer_email": _answer_email(done.get("route")),
        },
    )


async def _render(request: web.Request, form: Form, upload_errors: list[str]) -> web.Response:
    consent_text = await privacy_consent.current(request[DB_KEY])
    return await render(
        request,
        "public/form.html",
        {
            "form": form,
            "categories": await active_categories(request),
            "upload_errors": upload_errors,
            "max_files": MAX_FILES,
            "max_mb": files.MAX_FILE_BYTES // (1024 * 1024),
            "max_total_mb": MAX_TOTAL_BYTES // (1024 * 1024),
            "max_text": MAX_TEXT_CHARS,
            "honeypot": HONEYPOT,
            "consent_version": consent_text.version,
        },
    )
