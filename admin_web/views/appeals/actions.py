"""Acting on an appeal from its page: extend the answer deadline, answer (with files, as a letter),
reject, close.

Every POST goes through the appeals services, which reload the appeal and check its state; the role
is checked here again. A refusal re-renders the page with the typed text kept and the message shown
next to the form; success redirects back with a flash.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash
from admin_web.security import requires_role
from admin_web.views import uploads
from admin_web.views.appeals import answer_docs
from admin_web.views.appeals.common import STAFF_ROLES, appeal_id_of, load_appeal, page_url
from admin_web.views.appeals.form_actions import run_form
from admin_web.views.appeals.page import MAX_EXTENSION_DAYS, render_page
from admin_web.views.common import acting_user, notice_context
from services.appeals import attachments, workflow
from services.appeals.answer_letter import AnswerLetterSpec
from services.errors import DomainError

REASON_LIMIT = 2000
ANSWER_LIMIT = 10_000
MAX_ANSWER_FILES = attachments.MAX_ANSWER_FILES


@requires_role(*STAFF_ROLES)
async def appeal_extend(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        raw = form.text("days", required=True, max_length=3)
        reason = form.text("extend_reason", required=True, max_length=REASON_LIMIT)
        days = int(raw) if raw and raw.isdigit() else 0
        if raw and not 1 <= days <= MAX_EXTENSION_DAYS:
            form.fail("days", N_("Enter a number of days from 1 to %(n)d."), n=MAX_EXTENSION_DAYS)
        if not form.ok or reason is None:
            return None
        await workflow.extend_deadline(
            request[DB_KEY],
            appeal_id_of(request),
            days=days,
            reason=reason,
            actor=await acting_user(request),
            notify=notice_context(request),
        )
        return N_("The answer deadline is extended.")

    return await run_form(request, "extend", status=200, act=act)


@requires_role(*STAFF_ROLES)
async def appeal_answer(request: web.Request) -> web.StreamResponse:
    """The answer with its files, as a letter unless the clerk unticks it. While assignments on the
    appeal are open the service refuses it: the page comes back listing them, the text and files
    kept, and offers «answer anyway» with a required reason (the service audits it).

    The same form's other buttons: «Insert the template» shows the page again with the chosen
    template filled in as the text; «Preview the letter» answers with the letter's PDF (see
    ``answer_docs``)."""
    appeal = await load_appeal(request)  # 404 before anything else
    db = request[DB_KEY]
    user = await acting_user(request)
    user_id = user.id  # kept: a rollback below expires ``user``
    data = await request.post()
    form = Form.posted(data, multi=("answer_file_ids",))
    kept_ids = form.values.get("answer_file_ids") or []
    if form.values.get("do") == "preview":  # before storing anything: a preview keeps nothing
        shown = await answer_docs.preview(request, appeal, form, kept_ids, data.getall("answer_files", []))
        if shown is not None:
            return shown
        return await render_page(request, appeal, {"answer": form}, status=400)
    upload_errors: list[str] = []
    file_ids = await uploads.keep_uploads(
        request, user_id, data.getall("answer_files", []), kept_ids, upload_errors, max_files=MAX_ANSWER_FILES
    )
    form.values["answer_file_ids"] = [str(i) for i in file_ids]
    extra: dict[str, object] = {"upload_errors": upload_errors}
    if form.values.get("do") == "template":
        filled = await answer_docs.insert_template(request, appeal, form)
        if filled is not None:
            form.values["answer"] = filled
        return await render_page(request, await load_appeal(request), {"answer": form}, extra=extra)
    text = form.text("answer", required=True, max_length=ANSWER_LIMIT)
    anyway = form.flag("answer_anyway")
    reason = form.text("override_reason", max_length=REASON_LIMIT)
    if anyway and not reason:
        form.fail(
            "override_reason", N_("Say why the appeal is answered before its assignments are finished.")
        )
    position, name = answer_docs.signer_of(str(form.values.get("signer") or ""), user)
    letter = None
    if answer_docs.letter_wanted(form, appeal):
        env = answer_docs.letter_env(request)
        letter = AnswerLetterSpec(env=env, signer_position=position, signer_name=name)
    still_open: list[workflow.OpenAssignment] = []
    if form.ok and not upload_errors and text is not None:
        try:
            await workflow.answer_appeal(
                db,
                appeal_id_of(request),
                text=text,
                actor=await acting_user(request),
                notify=notice_context(request),
                file_ids=file_ids,
                override_reason=reason if anyway else None,
                letter=letter,
            )
        except workflow.AssignmentsStillOpen as exc:
            await db.rollback()
            still_open = exc.assignments
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext(N_("The answer is recorded.")))
            raise web.HTTPSeeOther(page_url(request, appeal_id_of(request)))
    if anyway and not still_open:  # the reason was missing: the list is still worth showing
        still_open = await workflow.open_assignments(db, appeal_id_of(request))
    extra["answer_warning"] = still_open
    return await render_page(request, await load_appeal(request), {"answer": form}, extra=extra)


@requires_role(*STAFF_ROLES)
async def appeal_reject(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        reason = form.text("reject_reason", required=True, max_length=REASON_LIMIT)
        if not form.ok or reason is None:
            return None
        await workflow.reject_appeal(
            request[DB_KEY],
            appeal_id_of(request),
            reason=reason,
            actor=await acting_user(request),
            notify=notice_context(request),
        )
        return N_("The appeal is rejected.")

    return await run_form(request, "reject", status=200, act=act)


@requires_role(*STAFF_ROLES)
async def appeal_close(request: web.Request) -> web.StreamResponse:
    async def act(form: Form) -> str | None:
        await workflow.close_appeal(
            request[DB_KEY],
            appeal_id_of(request),
            actor=await acting_user(request),
            notify=notice_context(request),
        )
        return N_("The appeal is closed.")

    return await run_form(request, "close", status=200, act=act)
