"""A form's public page, ``/f/<slug>``: anyone fills it in without signing in.

Built like the public appeal form: a per-address and a global rate limit, a honeypot field, the CSRF
token of the anonymous session, files checked by their bytes, the 152-FZ consent text and its
version. A visitor who came through the bot's personal link (``?t=<signed token>``) lands on their own
CRM card; anyone else gets a new card (see ``services.forms.intake``). A hidden one-time key makes a
double submit one answer.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web
from aiohttp_session import get_session

from admin_web.i18n import N_, current_locale, gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.ratelimit import acquire_all, release_all
from admin_web.render import render
from admin_web.security import public
from admin_web.views import uploads
from admin_web.views.common import notice_context
from admin_web.views.public.common import FLOOD_KEY, FLOOD_LIMITER_KEY, FORM_LIMITER_KEY, client_ip, too_many
from models import Form, FormField
from models.enums import FieldKind, SubmissionChannel
from services import files
from services.errors import DomainError
from services.forms import definitions, hooks, links
from services.forms.intake import IncomingFile, SubmissionInput, check_answers, submit
from services.forms.validation import MAX_FILES_LIMIT, TEXT_LIMIT, TEXTAREA_LIMIT, rules
from services.privacy import consent as privacy_consent

MAX_TOTAL_BYTES = 25 * 1024 * 1024
MAX_REQUEST_BYTES = MAX_TOTAL_BYTES + 1024 * 1024
HONEYPOT = "website"
PREFIX = "f_"  # posted field names: f_<key>, never clashing with the page's own inputs
DONE_SESSION_KEY = "form_done"
NOTES_SESSION_KEY = "form_done_notes"
KEY_LENGTH = 32
# Notes saying the answer could not do what the form is for: the form's own thank-you is not shown.
NOT_DONE_NOTES = frozenset({hooks.NO_CONTACT_NOTE})


def _key_ok(value: str) -> bool:
    return len(value) == KEY_LENGTH and all(ch in "0123456789abcdef" for ch in value)


async def _form_or_404(request: web.Request) -> Form:
    form = await definitions.by_slug(request[DB_KEY], request.match_info["slug"])
    if form is None:
        raise web.HTTPNotFound()
    return form


async def not_found(request: web.Request) -> web.Response:
    return await render(request, "forms/public_missing.html", {}, status=404)


@public
async def form_page(request: web.Request) -> web.StreamResponse:
    form = await definitions.by_slug(request[DB_KEY], request.match_info["slug"])
    if form is None:
        return await not_found(request)
    fields = await definitions.fields_of(request[DB_KEY], form.id)
    secret = request.config_dict[SETTINGS_KEY].secret_key
    token = request.query.get("t", "")
    telegram_id = links.verify(secret, token)
    if request.method != "POST":
        return await _render(request, form, fields, {}, {}, telegram_id, token, secrets.token_hex(16))

    ip = client_ip(request)
    slots = ((request.config_dict[FORM_LIMITER_KEY], ip), (request.config_dict[FLOOD_LIMITER_KEY], FLOOD_KEY))
    wait = acquire_all(*slots)
    if wait:
        return await too_many(request, wait)
    data = await request.post()
    form_key = str(data.get("form_key") or "")
    if not _key_ok(form_key):
        form_key = secrets.token_hex(16)
    values, raw = _posted(data, fields)
    errors: dict[str, str] = {}
    if data.get(HONEYPOT):
        release_all(slots[1])
        errors[""] = gettext(N_("The form could not be sent. Please try again."))
        return await _render(request, form, fields, values, errors, telegram_id, token, form_key)
    incoming = await _read_files(data, fields, errors)
    version = await _consent_version(request, str(data.get("consent_version") or ""), errors)
    if not str(data.get("pd_consent") or ""):
        errors["pd_consent"] = gettext(N_("Your consent to the processing of personal data is needed."))
    submission = SubmissionInput(
        form_id=form.id,
        channel=SubmissionChannel.WEB,
        answers=raw,
        consent_version=version or 0,
        files=incoming,
        telegram_id=telegram_id,
        files_dir=request.config_dict[SETTINGS_KEY].files_dir,
        dedup_key=f"web:{form.id}:{form_key}",
        ip=ip,
        locale=current_locale.get(),
        notify=notice_context(request),
    )
    if errors or version is None:
        # The page's own checks failed: the answers are checked too, so every error shows at once.
        field_errors = check_answers(fields, submission)[1]
        errors.update({k: v for k, v in field_errors.items() if k not in errors})
    else:
        try:
            result = await submit(request[DB_KEY], submission)
        except DomainError as exc:
            await request[DB_KEY].rollback()
            errors[""] = gettext(exc.message, **exc.params)
        else:
            if result.ok:
                session = await get_session(request)
                session[DONE_SESSION_KEY] = form.slug
                session[NOTES_SESSION_KEY] = [[n.msgid, n.params] for n in result.notes]
                raise web.HTTPSeeOther(request.app.router["form_public_done"].url_for(slug=form.slug))
            errors.update(result.errors)
    release_all(*slots)
    if any(incoming.values()):  # a browser does not keep chosen files over a reload
        errors.setdefault(
            "", gettext(N_("Please check the answers marked below and choose the files again."))
        )
    elif errors:
        errors.setdefault("", gettext(N_("Please check the answers marked below.")))
    return await _render(request, form, fields, values, errors, telegram_id, token, form_key)


def _posted(data: Any, fields: list[FormField]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What re-fills the page and what goes to the validation (strings capped before the check so
    a megabyte of text is refused without being copied around)."""
    values: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for item in fields:
        name = PREFIX + item.key
        if item.kind == FieldKind.MULTICHOICE:
            picked = [str(v)[:64] for v in data.getall(name, []) if isinstance(v, str)][:100]
            values[item.key] = raw[item.key] = picked
        elif item.kind != FieldKind.FILE:
            value = data.get(name)
            text = value if isinstance(value, str) else ""
            values[item.key] = text[:TEXTAREA_LIMIT]
            raw[item.key] = text[: TEXTAREA_LIMIT + 1]
    return values, raw


async def _read_files(
    data: Any, fields: list[FormField], errors: dict[str, str]
) -> dict[str, list[IncomingFile]]:
    incoming: dict[str, list[IncomingFile]] = {}
    for item in fields:
        if item.kind != FieldKind.FILE:
            continue
        refusals: list[str] = []
        limit = min(int(rules(item).get("max_files") or 1), MAX_FILES_LIMIT)
        read = await uploads.read_uploads(
            data.getall(PREFIX + item.key, []), refusals, max_files=limit, max_total_bytes=MAX_TOTAL_BYTES
        )
        if refusals:
            errors[item.key] = " ".join(refusals)
        incoming[item.key] = [IncomingFile(data=u.data, filename=u.name) for u in read]
    return incoming


async def _consent_version(request: web.Request, raw: str, errors: dict[str, str]) -> int | None:
    if not raw:
        return (await privacy_consent.current(request[DB_KEY], privacy_consent.ACTIVITIES)).version
    if (
        raw.isdigit()
        and len(raw) < 9
        and await privacy_consent.by_version(request[DB_KEY], int(raw), privacy_consent.ACTIVITIES)
    ):
        return int(raw)
    errors["pd_consent"] = gettext(
        N_("The consent text could not be found. Please read it again and tick the box.")
    )
    return None


async def _render(
    request: web.Request,
    form: Form,
    fields: list[FormField],
    values: dict[str, Any],
    errors: dict[str, str],
    telegram_id: int | None,
    token: str,
    form_key: str,
) -> web.Response:
    locale = current_locale.get()
    # A form serves the institution's own activities (events, applications): that purpose's consent.
    consent_text = await privacy_consent.current(request[DB_KEY], privacy_consent.ACTIVITIES)
    shown = [
        {
            "item": f,
            "name": PREFIX + f.key,
            "label": definitions.label_in(f, locale),
            "help": definitions.help_in(f, locale),
            "options": [
                (str(o.get("value")), str(o.get("en") if locale == "en" and o.get("en") else o.get("ru")))
                for o in f.options or []
            ],
            "value": values.get(f.key, [] if f.kind == FieldKind.MULTICHOICE else ""),
            "error": errors.get(f.key),
            "maxlength": min(
                int(rules(f).get("max_length") or 10**6),
                TEXTAREA_LIMIT if f.kind == FieldKind.TEXTAREA else TEXT_LIMIT,
            ),
            "max_files": min(int(rules(f).get("max_files") or 1), MAX_FILES_LIMIT),
        }
        for f in fields
    ]
    return await render(
        request,
        "forms/public.html",
        {
            "form": form,
            "title": definitions.title_in(form, locale),
            "description": definitions.description_in(form, locale),
            "fields": shown,
            "errors": errors,
            "personal": telegram_id is not None,
            "bad_link": bool(token) and telegram_id is None,
            "token": token if telegram_id is not None else "",
            "form_key": form_key,
            "honeypot": HONEYPOT,
            "consent_version": consent_text.version,
            "consent_purpose": consent_text.purpose,
            "pd_consent_checked": bool(values) and "pd_consent" not in errors,
            "max_mb": files.MAX_FILE_BYTES // (1024 * 1024),
        },
    )


@public
async def form_done(request: web.Request) -> web.StreamResponse:
    form = await _form_or_404(request)
    session = await get_session(request)
    if session.get(DONE_SESSION_KEY) != form.slug:
        raise web.HTTPSeeOther(request.app.router["form_public"].url_for(slug=form.slug))
    locale = current_locale.get()
    # What the answer did (a seat, the waiting list, a number): msgids from services.forms.hooks.
    stored = session.get(NOTES_SESSION_KEY) or []
    notes = [gettext(msgid, **params) for msgid, params in stored]
    thanks = definitions.thanks_in(form, locale)
    if any(msgid in NOT_DONE_NOTES for msgid, _params in stored):
        # The form's own thank-you was written for an answer that did what the form is for («confirm
        # the subscription: we sent a message»); when it could not, only the plain thanks and the
        # note saying why are true.
        thanks = ""
    return await render(
        request,
        "forms/public_done.html",
        {"title": definitions.title_in(form, locale), "thanks": thanks, "notes": notes},
    )


def add_routes(router: web.UrlDispatcher) -> None:
    resource = router.add_resource("/f/{slug}", name="form_public")
    resource.add_route("GET", form_page)
    resource.add_route("POST", form_page)
    router.add_get("/f/{slug}/done", form_done, name="form_public_done")
