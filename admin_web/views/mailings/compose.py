"""The list of mailings and the compose / edit form (title, segment, text, a photo or document,
link buttons). The services check everything; the form only carries what was typed back."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import gettext
from admin_web.keys import DB_KEY, SETTINGS_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from admin_web.views import uploads
from admin_web.views.common import acting_user
from admin_web.views.mailings.common import load, page_url, status_label
from models import Mailing, StoredFile
from models.enums import Role
from services.errors import DomainError
from services.files import ALLOWED_TYPES, MAX_FILE_BYTES
from services.mailings import content, drafts, queries

MAX_REQUEST_BYTES = MAX_FILE_BYTES + 1024 * 1024
# Shown as text (escaped) under the body: what staff may type.
TAGS_HINT = '<b>, <i>, <u>, <s>, <a href="https://…">, <blockquote>, <code>, <pre>, <span class="tg-spoiler">'


@requires_role(Role.MANAGER, Role.CLERK)
async def mailing_list(request: web.Request) -> web.StreamResponse:
    rows = await queries.mailings(request[DB_KEY])
    items = [{"m": m, "segment": segment, "status": status_label(m.status)} for m, segment in rows]
    return await render(request, "mailings/list.html", {"items": items, "section": "mailings"})


@requires_role(Role.MANAGER, Role.CLERK)
async def mailing_new(request: web.Request) -> web.StreamResponse:
    return await _compose(request, None)


@requires_role(Role.MANAGER, Role.CLERK)
async def mailing_edit(request: web.Request) -> web.StreamResponse:
    mailing = await load(request)
    if mailing.status not in drafts.EDITABLE:
        raise web.HTTPSeeOther(page_url(request, mailing.id))
    return await _compose(request, mailing)


def _values(mailing: Mailing | None) -> dict[str, Any]:
    if mailing is None:
        return {}
    values: dict[str, Any] = {
        "title": mailing.title,
        "body": mailing.body_html,
        "segment_id": str(mailing.segment_id or ""),
    }
    for n, button in enumerate(mailing.buttons or [], start=1):
        values[f"button_text_{n}"], values[f"button_url_{n}"] = button["text"], button["url"]
    return values


async def _compose(request: web.Request, mailing: Mailing | None) -> web.StreamResponse:
    db = request[DB_KEY]
    segments = await queries.segments(db)
    upload_errors: list[str] = []
    if request.method != "POST":
        return await _render(request, Form(values=_values(mailing)), mailing, segments, upload_errors)
    data = await request.post()
    form = Form.posted(data)
    mailing_id = mailing.id if mailing else None
    accepted = await uploads.read_uploads(
        data.getall("file", []), upload_errors, max_files=1, allowed=ALLOWED_TYPES
    )
    segment_id = form.choice("segment_id", {s.id for s in segments})
    draft = drafts.DraftInput(
        title=str(form.values.get("title") or ""),
        body=str(form.values.get("body") or ""),
        segment_id=segment_id,
        buttons=[
            (str(form.values.get(f"button_text_{n}") or ""), str(form.values.get(f"button_url_{n}") or ""))
            for n in range(1, content.MAX_BUTTONS + 1)
        ],
        remove_file=form.flag("remove_file"),
    )
    upload = await _upload(request, form, accepted)
    if form.ok and not upload_errors:
        try:
            saved = await drafts.save(
                db, await acting_user(request), draft, mailing_id=mailing_id, upload=upload
            )
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext("The mailing is saved."))
            raise web.HTTPSeeOther(page_url(request, saved.id))
    if mailing_id is not None:
        mailing = await drafts.get(db, mailing_id)
    return await _render(request, form, mailing, await queries.segments(db), upload_errors)


async def _upload(request: web.Request, form: Form, accepted: list[uploads.Upload]) -> Any:
    """The file of this try: a new one is stored and committed at once, so a form that comes back
    with an error keeps it (the page carries its id, re-checked as the user's own on the next try)."""
    db = request[DB_KEY]
    user = await acting_user(request)
    if accepted:
        try:
            upload = await drafts.store_upload(
                db, user, request.config_dict[SETTINGS_KEY].files_dir, accepted[0].data, accepted[0].name
            )
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
            return None
        await db.commit()
        form.values["upload_id"] = str(upload[0].id)
        return upload
    raw = str(form.values.get("upload_id") or "")
    found = await drafts.own_upload(db, user, int(raw)) if raw.isdigit() and len(raw) < 19 else None
    form.values["upload_id"] = str(found[0].id) if found else ""
    return found


async def _render(
    request: web.Request, form: Form, mailing: Mailing | None, segments: Any, upload_errors: list[str]
) -> web.StreamResponse:
    attached = await drafts.attached_file(request[DB_KEY], mailing) if mailing else None
    raw = str(form.values.get("upload_id") or "")
    if raw.isdigit():  # already checked as the user's own when the form was read
        attached = await request[DB_KEY].get(StoredFile, int(raw))
    return await render(
        request,
        "mailings/compose.html",
        {
            "form": form,
            "mailing": mailing,
            "attached": attached,
            "segment_options": [(s.id, s.name) for s in segments],
            "button_numbers": range(1, content.MAX_BUTTONS + 1),
            "upload_errors": upload_errors,
            "tags": TAGS_HINT,
            "caption_limit": content.CAPTION_LIMIT,
            "text_limit": content.TEXT_LIMIT,
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "section": "mailings",
        },
    )
