"""Acting on an assignment from its page: lifecycle actions, extension decisions, comments.

The page shows only what is allowed, but every POST goes through the services, which reload the
record and re-check the user's rights and its state; a refusal comes back as a flash message.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY
from admin_web.render import flash
from admin_web.views.common import acting_user, int_or_none, notice_context, parse_local, zone
from services.assignments import commands, control, extensions, panel_detail
from services.assignments.lifecycle import Action
from services.errors import DomainError, NotFound

_DONE: dict[Action, str] = {
    Action.ACKNOWLEDGE: N_("The assignment is accepted for execution."),
    Action.DECLINE: N_("The assignment is declined."),
    Action.ACCEPT: N_("The report is accepted; the assignment is done."),
    Action.RETURN: N_("The assignment is returned for rework."),
    Action.REASSIGN: N_("The assignment is handed to another executor."),
    Action.CANCEL: N_("The assignment is cancelled."),
}


async def _target(request: web.Request) -> tuple[int, web.HTTPSeeOther]:
    """The assignment id (404 unless this user may see it) and the redirect back to its page."""
    assignment_id = int(request.match_info["assignment_id"])
    try:
        await panel_detail.load_for_panel(request[DB_KEY], assignment_id, await acting_user(request))
    except NotFound:
        raise web.HTTPNotFound() from None
    url = request.app.router["assignment_page"].url_for(assignment_id=str(assignment_id))
    return assignment_id, web.HTTPSeeOther(url)


async def _refused(request: web.Request, exc: DomainError) -> None:
    await request[DB_KEY].rollback()
    await flash(request, translate_error(exc.message, exc.params))


async def assignment_act(request: web.Request) -> web.StreamResponse:
    assignment_id, back = await _target(request)
    data = await request.post()
    try:
        action = Action(str(data.get("action") or ""))
    except ValueError:
        action = None
    if action not in panel_detail.PANEL_ACTIONS:
        await flash(request, gettext("This action is not available here."))
        raise back
    user = await acting_user(request)
    reason = str(data.get("reason") or "")
    try:
        if action is Action.REASSIGN:
            executor_id = int_or_none(str(data.get("executor_id") or ""))
            if executor_id is None:
                await flash(request, gettext("Choose the new executor."))
                raise back
            await commands.reassign(
                request[DB_KEY],
                user,
                assignment_id,
                executor_id,
                reason=reason,
                notify=notice_context(request),
            )
        else:
            await commands.transition(
                request[DB_KEY],
                user,
                assignment_id,
                action,
                reason=reason,
                expected_status=str(data.get("expected_status") or "") or None,
                notify=notice_context(request),
            )
    except DomainError as exc:
        await _refused(request, exc)
    else:
        await flash(request, gettext(_DONE[action]))
    raise back


async def assignment_extension(request: web.Request) -> web.StreamResponse:
    assignment_id, back = await _target(request)
    data = await request.post()
    decision = str(data.get("decision") or "")
    if decision not in ("approve", "reject"):
        await flash(request, gettext("This action is not available here."))
        raise back
    db = request[DB_KEY]
    try:
        ext = await panel_detail.extension_of(db, assignment_id, int(request.match_info["request_id"]))
        await extensions.decide_extension(
            db,
            await acting_user(request),
            ext.id,
            approve=decision == "approve",
            reason=str(data.get("reason") or ""),
            notify=notice_context(request),
        )
    except DomainError as exc:
        await _refused(request, exc)
    else:
        message = N_("The new deadline is set.") if decision == "approve" else N_("The extension is refused.")
        await flash(request, gettext(message))
    raise back


async def assignment_deadline(request: web.Request) -> web.StreamResponse:
    """The control moves the deadline (the same service as the bot's «🗓 Deadline»)."""
    assignment_id, back = await _target(request)
    data = await request.post()
    new_deadline = parse_local(str(data.get("deadline") or ""), zone(request))
    if new_deadline is None:
        await flash(request, gettext("Enter a date and time."))
        raise back
    try:
        await control.change_deadline(
            request[DB_KEY],
            await acting_user(request),
            assignment_id,
            new_deadline,
            reason=str(data.get("reason") or ""),
            notify=notice_context(request),
        )
    except DomainError as exc:
        await _refused(request, exc)
    else:
        await flash(request, gettext("The deadline is changed. The executor has been notified."))
    raise back


async def assignment_comment(request: web.Request) -> web.StreamResponse:
    assignment_id, back = await _target(request)
    data = await request.post()
    try:
        await commands.add_comment(
            request[DB_KEY], await acting_user(request), assignment_id, str(data.get("text") or "")
        )
    except DomainError as exc:
        await _refused(request, exc)
    else:
        await flash(request, gettext("Comment added."))
    raise back
