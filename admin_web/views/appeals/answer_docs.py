"""The answer form's documents part: templates to start from, the signer, «send as a letter», the
letter's preview, and marking a printed letter as posted or handed over.

Inserting a template and previewing the letter are buttons of the answer form itself (plain form
submits, no script): the answer handler (``actions.appeal_answer``) hands them over here, so what
the clerk typed and the files they picked travel the same way as for the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, current_locale, gettext, translate_error
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash
from admin_web.security import requires_role
from admin_web.views import uploads
from admin_web.views.appeals.common import STAFF_ROLES, appeal_id_of, letter_env, load_appeal, page_url
from admin_web.views.common import acting_user, int_or_none, zone
from models import Appeal, User
from models.enums import Role
from services.appeals import answer_letter, answer_templates, attachments
from services.config import org_card
from services.errors import DomainError

SIGNER_HEAD = "head"
SIGNER_ME = "me"
TEMPLATE_EDITORS = (Role.MANAGER,)  # and administrators, who pass every role check


def _signer_label(position: str, name: str) -> str:
    return " · ".join(x for x in (position, name) if x) or gettext("the head of the organisation")


async def signer_options(request: web.Request, user: User) -> list[tuple[str, str]]:
    """Who may sign: the head from the organisation's card, or the clerk with their position."""
    head = await org_card.letterhead(request[DB_KEY])
    options = [(SIGNER_HEAD, _signer_label(head.head_position, head.head_name))]
    if user.position:
        options.append((SIGNER_ME, _signer_label(user.position, user.full_name)))
    return options


def signer_of(choice: str, user: User) -> tuple[str, str]:
    """(position, name) for the letter; empty: the head from the card, filled in by the letters."""
    if choice == SIGNER_ME and user.position:
        return user.position, user.full_name
    return "", ""


def letter_wanted(form: Form, appeal: Appeal) -> bool:
    """«Send as a letter»: a posted form says it (an unticked box posts nothing, hence the marker
    field); a fresh one follows the appeal's regime."""
    if form.values.get("letter_shown"):
        return bool(form.values.get("as_letter"))
    return answer_letter.letter_by_default(appeal)


async def page_context(request: web.Request, appeal: Appeal, forms: dict[str, Form]) -> dict[str, Any]:
    db = request[DB_KEY]
    user = await acting_user(request)
    form = forms.get("answer") or Form()
    templates = await answer_templates.for_category(db, appeal.category_id)
    return {
        "answer_docs_templates": [(t.id, t.title) for t in templates],
        "answer_docs_signers": await signer_options(request, user),
        "answer_docs_as_letter": letter_wanted(form, appeal),
        "answer_docs_is_message": not answer_letter.letter_by_default(appeal),
        "answer_docs_letter": await answer_letter.answer_letter_of(db, appeal.id),
        "answer_docs_can_edit_templates": request[USER_KEY].has_role(*TEMPLATE_EDITORS),
    }


async def insert_template(request: web.Request, appeal: Appeal, form: Form) -> str | None:
    """The chosen template filled for this appeal, to replace the answer text; None after marking
    the form (nothing chosen, or a template that does not apply)."""
    template_id = int_or_none(str(form.values.get("answer_template") or ""))
    if template_id is None:
        form.fail("answer_template", N_("Choose a template."))
        return None
    try:
        return await answer_templates.fill_for_appeal(
            request[DB_KEY], template_id, appeal, zone(request), current_locale.get()
        )
    except DomainError as exc:
        form.fail_domain(exc)
        return None


async def preview(
    request: web.Request, appeal: Appeal, form: Form, kept_ids: Iterable[str], new_files: Iterable[object]
) -> web.Response | None:
    """The letter as it would go out, as a PDF in the browser; nothing is numbered or kept, and new
    files are not stored (only their names are listed as enclosures). None after marking the form."""
    user = await acting_user(request)
    text = form.text("answer", required=True, max_length=answer_templates.BODY_LIMIT)
    if text is None:
        return None
    kept = await uploads.pending_uploads(request, user.id, kept_ids, limit=attachments.MAX_ANSWER_FILES)
    names = [*answer_letter.enclosure_names(kept)]
    names += [f.filename for f in new_files if isinstance(f, web.FileField) and f.filename]
    position, name = signer_of(str(form.values.get("signer") or ""), user)
    draft = answer_letter.Draft(text, position, name, tuple(names[: attachments.MAX_ANSWER_FILES]))
    try:
        pdf = await answer_letter.preview_pdf(request[DB_KEY], appeal, draft, letter_env(request))
    except DomainError as exc:
        form.fail_domain(exc)
        return None
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="answer-draft-{appeal.id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@requires_role(*STAFF_ROLES)
async def answer_letter_sent(request: web.Request) -> web.StreamResponse:
    """The clerk posted or handed over the printed answer letter."""
    await load_appeal(request)  # 404 and the clerk's scope before anything else
    db = request[DB_KEY]
    via = str((await request.post()).get("via") or "")
    try:
        await answer_letter.mark_posted(db, appeal_id_of(request), via=via, actor=await acting_user(request))
    except DomainError as exc:
        await db.rollback()
        await flash(request, translate_error(exc.message, exc.params))
    else:
        await flash(request, gettext(N_("The letter is marked as sent.")))
    raise web.HTTPSeeOther(page_url(request, appeal_id_of(request)))


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post(
        r"/appeals/{appeal_id:\d+}/answer/letter-sent", answer_letter_sent, name="appeal_answer_letter_sent"
    )
