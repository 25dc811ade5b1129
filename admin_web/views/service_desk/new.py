"""A new service request from the panel: filed by the signed-in user, channel «panel».

Files are stored as soon as they arrive and kept across a form that comes back with errors (the
same way as the assignment form), then attached to the request when it is filed.
"""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY
from admin_web.render import flash, render
from admin_web.views import uploads
from admin_web.views.common import acting_user, notice_context
from admin_web.views.service_desk.common import URGENCIES, labels, topic_name, urgency_label
from models.enums import ServiceChannel, ServiceUrgency
from services.errors import DomainError
from services.files import MAX_FILE_BYTES
from services.service_desk import panel
from services.service_desk import requests as desk

MAX_ATTACHMENTS = 10
MAX_REQUEST_BYTES = 50 * 1024 * 1024


async def request_new(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    user = await acting_user(request)
    user_id = user.id  # kept: a rollback below expires ``user``
    topics = {t.id: t for t in await panel.topics(db, active_only=True)}
    upload_errors: list[str] = []
    if request.method != "POST":
        form = Form(values={"urgency": ServiceUrgency.NORMAL.value})
        return await _render(request, form, topics, user_id, upload_errors)
    data = await request.post()
    form = Form.posted(data, multi=("file_ids",))
    kept = [str(f.id) for f in await panel.own_unattached_files(db, user_id, _ids(form))]
    file_ids = await uploads.keep_uploads(
        request, user_id, data.getall("attachments", []), kept, upload_errors, max_files=MAX_ATTACHMENTS
    )
    form.values["file_ids"] = [str(i) for i in file_ids]
    topic_id = form.choice("topic_id", set(topics))
    if topic_id is None and "topic_id" not in form.errors:
        form.fail("topic_id", N_("This field is required."))
    urgency = str(form.values.get("urgency") or "")
    if urgency not in URGENCIES:
        form.fail("urgency", N_("Choose a value from the list."))
    subject = form.text("subject", required=True, max_length=desk.SUBJECT_LIMIT)
    text = form.text("text", max_length=desk.TEXT_LIMIT) or ""
    if form.ok and not upload_errors and topic_id is not None and subject is not None:
        try:
            item = await desk.file_request(
                db,
                await acting_user(request),
                desk.NewRequest(
                    topic_id=topic_id,
                    subject=subject,
                    text=text,
                    urgency=urgency,
                    channel=ServiceChannel.PANEL,
                    file_ids=[f.id for f in await panel.own_unattached_files(db, user_id, file_ids)],
                ),
                ctx=notice_context(request),
            )
        except DomainError as exc:
            await db.rollback()
            form.fail_domain(exc)
        else:
            await flash(request, gettext("Request %(number)s is filed.", number=item.number))
            raise web.HTTPSeeOther(request.app.router["service_request"].url_for(request_id=str(item.id)))
    return await _render(request, form, topics, user_id, upload_errors)


def _ids(form: Form) -> list[int]:
    return [int(v) for v in form.values.get("file_ids") or [] if str(v).isdigit() and len(str(v)) < 19]


async def _render(
    request: web.Request, form: Form, topics: dict, user_id: int, upload_errors: list[str]
) -> web.Response:  # type: ignore[type-arg]
    return await render(
        request,
        "service_desk/new.html",
        {
            **labels(),
            "form": form,
            "topic_options": [(t.id, topic_name(t)) for t in topics.values()],
            "urgency_options": [(u.value, urgency_label(u)) for u in URGENCIES],
            "uploads": await panel.own_unattached_files(request[DB_KEY], user_id, _ids(form)),
            "upload_errors": upload_errors,
            "max_files": MAX_ATTACHMENTS,
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "section": "service_desk_new",
        },
    )
