"""A form's answers in the panel: the list with the answers in columns, the XLSX download (built in a
thread), one answer with its files and a link to the person's card."""

from __future__ import annotations

from aiohttp import web

from admin_web.exports import XLSX_TYPE
from admin_web.i18n import current_locale, gettext
from admin_web.keys import DB_KEY, OFFLOAD_KEY, SETTINGS_KEY, USER_KEY
from admin_web.render import render
from admin_web.views.files import stored_file_response
from admin_web.views.forms.editor import audience, form_links
from models import Correspondent, StoredFile
from services.audit import record
from services.errors import NotFound
from services.forms import answers, definitions
from services.forms.validation import shown

LIST_SHOWN = 200


def channel_labels() -> dict[str, str]:
    return {str(code): gettext(label) for code, label in answers.CHANNEL_LABELS.items()}


@audience
async def answer_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    try:
        form = await definitions.get(db, int(request.match_info["form_id"]))
    except NotFound:
        raise web.HTTPNotFound() from None
    locale = current_locale.get()
    fields = await definitions.fields_of(db, form.id)
    items = await answers.of_form(db, form.id, limit=LIST_SHOWN)
    rows = [
        {"s": s, "cells": [shown(f, (s.answers or {}).get(f.key), locale) for f in fields]} for s in items
    ]
    return await render(
        request,
        "forms/answers.html",
        {
            "item": form,
            "title": definitions.title_in(form, locale),
            "columns": [definitions.label_in(f, locale) for f in fields],
            "rows": rows,
            "limit": LIST_SHOWN,
            "links": form_links(request, form),
            "channels": channel_labels(),
            "section": "forms",
        },
    )


@audience
async def answer_export(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    try:
        form = await definitions.get(db, int(request.match_info["form_id"]))
    except NotFound:
        raise web.HTTPNotFound() from None
    tz = request.config_dict[SETTINGS_KEY].tz
    body = await answers.workbook(db, form, current_locale.get(), tz, request.app.get(OFFLOAD_KEY))
    # Personal data leaves the system: who downloaded it is recorded (152-FZ accountability).
    record(db, request[USER_KEY].actor, "form", form.id, "answers_exported")
    return web.Response(
        body=body,
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="form-{form.slug}.xlsx"'},
    )


@audience
async def answer_page(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    try:
        submission = await answers.get(db, int(request.match_info["submission_id"]))
        form = await definitions.get(db, submission.form_id)
    except NotFound:
        raise web.HTTPNotFound() from None
    locale = current_locale.get()
    fields = await definitions.fields_of(db, form.id)
    card = await db.get(Correspondent, submission.correspondent_id) if submission.correspondent_id else None
    return await render(
        request,
        "forms/answer.html",
        {
            "item": form,
            "title": definitions.title_in(form, locale),
            "s": submission,
            "rows": answers.rows_of(fields, submission, locale),
            "files": await answers.files_of(db, submission.id),
            "card": card,
            "channels": channel_labels(),
            "section": "forms",
        },
    )


@audience
async def answer_file(request: web.Request) -> web.StreamResponse:
    """A file sent with an answer: only through its answer (the general file route knows appeals
    and assignments, not forms)."""
    db = request[DB_KEY]
    stored = await db.get(StoredFile, int(request.match_info["file_id"]))
    if stored is None or stored.form_submission_id != int(request.match_info["submission_id"]):
        raise web.HTTPNotFound()
    return stored_file_response(request, stored)
