"""One service request: its fields, files, timeline and SLA clocks, and the forms that act on it.

Each form posts to ``/service-desk/{id}/{action}`` with the status the page showed
(``expected_status``): a request that changed meanwhile is refused instead of acted on twice. The
lifecycle functions reload the request and re-check the user's rights; a refusal re-shows the card
with the message next to that form, a success redirects back to the card with a notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.views import uploads
from admin_web.views.common import acting_user, notice_context
from admin_web.views.files import stored_file_response
from admin_web.views.service_desk.common import URGENCIES, calendar, clocks, labels, urgency_label
from models import User, utcnow
from models.enums import ServiceChannel, ServiceStatus
from services.errors import DomainError, NotFound, PermissionDenied
from services.service_desk import panel, resolution
from services.service_desk import requests as desk
from services.templates import answers

MAX_ATTACHMENTS = 10  # with one reply or note

TEXT_LIMIT = desk.TEXT_LIMIT
FORMS = ("take", "assign", "reply", "note", "wait", "resolve", "urgency", "cancel", "confirm", "reopen")
PANEL = ServiceChannel.PANEL


def request_id_of(request: web.Request) -> int:
    return int(request.match_info["request_id"])


def card_url(request: web.Request, request_id: int) -> str:
    return str(request.app.router["service_request"].url_for(request_id=str(request_id)))


async def _render(
    request: web.Request, forms: dict[str, Form] | None = None, *, status: int = 200
) -> web.Response:
    db = request[DB_KEY]
    user = await acting_user(request)
    try:
        data = await panel.card(db, user, request_id_of(request))
    except NotFound:
        raise web.HTTPNotFound() from None
    item = data.request
    blank = {name: Form() for name in FORMS}
    blank["urgency"] = Form(values={"urgency": item.urgency})
    blank["assign"] = Form(values={"assignee_id": str(item.assignee_id or "")})
    blank.update(forms or {})
    # A refusal of the whole form is told above the card: the form may not be on it any more.
    refusals = [f.errors[""] for f in (forms or {}).values() if f.errors.get("")]
    now = utcnow()
    templates = await answers.for_service_request(db, item.topic_id) if data.is_agent else []
    return await render(
        request,
        "service_desk/card.html",
        {
            **labels(),
            "card": data,
            "r": item,
            "clock": clocks(request, item, await calendar(request), now),
            "forms": blank,
            "refusals": refusals,
            "open": item.status in desk.OPEN,
            "agent_options": [(u.id, u.full_name) for u in data.agents],
            "urgency_options": [(u.value, urgency_label(u)) for u in URGENCIES],
            "answer_templates": templates,
            "rating_options": [(str(n), str(n)) for n in range(5, 0, -1)],
            "section": "service_desk" if data.is_agent else "service_desk_mine",
        },
        status=status,
    )


async def request_page(request: web.Request) -> web.StreamResponse:
    return await _render(request)


Step = Callable[[web.Request, User, int, Form], Awaitable[str | None]]


def _expected(form: Form) -> str | None:
    value = str(form.values.get("expected_status") or "")
    return value if value in set(ServiceStatus) else None


def _form_action(name: str, step: Step):  # type: ignore[no-untyped-def]
    """A POST handler: read the form, run ``step`` (it returns the notice to flash, or None after
    recording a refusal on the form), redirect to the card or re-show it with the refusal."""

    async def handler(request: web.Request) -> web.StreamResponse:
        db = request[DB_KEY]
        request_id = request_id_of(request)
        user = await acting_user(request)
        try:  # the request must be visible at all before anything is read from the form
            await desk.load_visible(db, user, request_id)
        except NotFound:
            raise web.HTTPNotFound() from None
        form = Form.posted(await request.post())
        try:
            notice = await step(request, user, request_id, form) if form.ok else None
        except NotFound:
            await db.rollback()
            raise web.HTTPNotFound() from None
        except PermissionDenied as exc:
            await db.rollback()
            form.fail_domain(exc)
            return await _render(request, {name: form}, status=403)
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
            notice = None
        if notice is not None and form.ok:
            await db.commit()
            await flash(request, notice)
            raise web.HTTPSeeOther(card_url(request, request_id))
        if not form.errors:
            form.fail("", N_("The form could not be processed."))
        return await _render(request, {name: form})

    handler.__name__ = f"service_request_{name}"
    return handler


async def _take(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    await desk.take(request[DB_KEY], user, rid, ctx=notice_context(request), expected_status=_expected(form))
    return gettext("You have taken the request.")


async def _assign(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    raw = str(form.values.get("assignee_id") or "").strip()
    if not raw.isdigit() or len(raw) > 18:
        form.fail("assignee_id", N_("Choose a value from the list."))
        return None
    item = await desk.assign(request[DB_KEY], user, rid, int(raw), ctx=notice_context(request))
    assignee = await request[DB_KEY].get(User, item.assignee_id)
    return gettext("The request is assigned to %(name)s.", name=assignee.full_name if assignee else "—")


def _text(form: Form, name: str = "text") -> str | None:
    return form.text(name, required=True, max_length=TEXT_LIMIT)


async def _attached(request: web.Request, user: User, form: Form) -> list[int] | None:
    """Files posted with a reply or a note, stored at once; None (and the form refused) when one
    of them is refused, so nothing is half-sent."""
    errors: list[str] = []
    fields = (await request.post()).getall("attachments", [])  # aiohttp keeps the parsed form
    ids = await uploads.keep_uploads(request, user.id, fields, [], errors, max_files=MAX_ATTACHMENTS)
    if errors:
        form.errors.setdefault("attachments", " ".join(errors))  # already in the user's language
        return None
    return ids


async def _message(request: web.Request, user: User, rid: int, form: Form, *, internal: bool) -> bool:
    """A reply or a note: text, files, or both."""
    text = form.text("text", max_length=TEXT_LIMIT) or ""
    file_ids = await _attached(request, user, form)
    if file_ids is None:
        return False
    if not text and not file_ids:
        form.fail("text", N_("This field is required."))
        return False
    await resolution.comment(
        request[DB_KEY],
        user,
        rid,
        text,
        ctx=notice_context(request),
        internal=internal,
        via=PANEL,
        file_ids=file_ids,
    )
    return True


async def _reply(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    if not await _message(request, user, rid, form, internal=False):
        return None
    return gettext("The reply is sent.")


async def _note(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    if not await _message(request, user, rid, form, internal=True):
        return None
    return gettext("The internal note is saved.")


async def _wait(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    text = _text(form)
    if text is None or not form.ok:
        return None
    await resolution.wait_for_requester(
        request[DB_KEY],
        user,
        rid,
        text,
        ctx=notice_context(request),
        via=PANEL,
        expected_status=_expected(form),
    )
    return gettext("The question is sent; the clocks are paused until the requester answers.")


async def _resolve(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    text = _text(form)
    if text is None or not form.ok:
        return None
    await resolution.resolve(
        request[DB_KEY],
        user,
        rid,
        text,
        ctx=notice_context(request),
        via=PANEL,
        expected_status=_expected(form),
    )
    return gettext("The request is resolved; the requester is asked to confirm.")


async def _urgency(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    urgency = str(form.values.get("urgency") or "")
    if urgency not in URGENCIES:
        form.fail("urgency", N_("Choose a value from the list."))
        return None
    await desk.change_urgency(request[DB_KEY], user, rid, urgency, ctx=notice_context(request))
    return gettext("The urgency is changed; the SLA targets are recounted.")


async def _cancel(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    reason = _text(form, "reason")
    if reason is None or not form.ok:
        return None
    await desk.cancel(request[DB_KEY], user, rid, reason, ctx=notice_context(request))
    return gettext("The request is cancelled.")


async def _confirm(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    raw = str(form.values.get("rating") or "").strip()
    if raw and raw not in {"1", "2", "3", "4", "5"}:
        form.fail("rating", N_("Choose a value from the list."))
    comment = form.text("rating_comment", max_length=2000)
    if not form.ok:
        return None
    await resolution.confirm(
        request[DB_KEY],
        user,
        rid,
        ctx=notice_context(request),
        rating=int(raw) if raw else None,
        rating_comment=comment,
    )
    return gettext("Thank you! The request is closed.")


async def _reopen(request: web.Request, user: User, rid: int, form: Form) -> str | None:
    reason = _text(form, "reason")
    if reason is None or not form.ok:
        return None
    await resolution.reopen(request[DB_KEY], user, rid, reason, ctx=notice_context(request), via=PANEL)
    return gettext("The request is reopened.")


async def service_file(request: web.Request) -> web.StreamResponse:
    """A file of a request or of one of its comments, for those who may see it."""
    user = await acting_user(request)
    stored = await panel.file_for_viewer(request[DB_KEY], user, int(request.match_info["file_id"]))
    if stored is None:
        raise web.HTTPNotFound()
    return stored_file_response(request, stored)


ACTIONS = {
    "take": _form_action("take", _take),
    "assign": _form_action("assign", _assign),
    "reply": _form_action("reply", _reply),
    "note": _form_action("note", _note),
    "wait": _form_action("wait", _wait),
    "resolve": _form_action("resolve", _resolve),
    "urgency": _form_action("urgency", _urgency),
    "cancel": _form_action("cancel", _cancel),
    "confirm": _form_action("confirm", _confirm),
    "reopen": _form_action("reopen", _reopen),
}
