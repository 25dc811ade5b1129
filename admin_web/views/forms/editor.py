"""Forms in the panel: the list with answer counts and links, a form's settings and its fields
(add, edit, delete, move up and down), activation. Managers and clerks; the services check the input."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.forms import Form as PostedForm
from admin_web.i18n import N_, gettext, translate_error
from admin_web.keys import DB_KEY, SETTINGS_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.security import requires_role
from models import Form, FormField
from models.enums import FieldKind, FormPurpose, Role
from services.errors import DomainError, NotFound
from services.forms import definitions as d
from services.forms import links

audience = requires_role(Role.MANAGER, Role.CLERK)

PURPOSE_LABELS = {
    FormPurpose.GENERAL: N_("Application or question: the card only"),
    FormPurpose.SUBSCRIPTION: N_("Subscription to news (asks for consent to mailings)"),
    FormPurpose.EVENT: N_("Registration for an event"),
    FormPurpose.VOLUNTEER: N_("Volunteer questionnaire"),
    FormPurpose.APPLICATION: N_("Application for review"),
}
KIND_LABELS = {
    FieldKind.TEXT: N_("Line of text"),
    FieldKind.TEXTAREA: N_("Several lines"),
    FieldKind.CHOICE: N_("One of the options"),
    FieldKind.MULTICHOICE: N_("Several of the options"),
    FieldKind.DATE: N_("Date"),
    FieldKind.NUMBER: N_("A number"),
    FieldKind.PHONE: N_("Phone"),
    FieldKind.EMAIL: N_("E-mail"),
    FieldKind.FILE: N_("Files"),
    FieldKind.CONSENT: N_("Consent (a tick box)"),
}
MAPS_TO_LABELS = {"name": N_("Person's name"), "phone": N_("Phone"), "email": N_("E-mail")}


def form_links(request: web.Request, form: Form) -> dict[str, str | None]:
    settings = request.config_dict[SETTINGS_KEY]
    return {
        "web": links.web_url(settings.admin_base_url, form.slug),
        "bot": links.bot_url(settings.bot_username, form.slug),
        "payload": "/start " + links.start_payload(form.slug),
    }


@audience
async def form_list(request: web.Request) -> web.StreamResponse:
    rows = await d.all_forms(request[DB_KEY])
    items = [{"form": f, "count": n, "links": form_links(request, f)} for f, n in rows]
    return await render(request, "forms/list.html", {"items": items, "section": "forms"})


async def _form(request: web.Request) -> Form:
    try:
        return await d.get(request[DB_KEY], int(request.match_info["form_id"]))
    except NotFound:
        raise web.HTTPNotFound() from None


def _form_values(form: Form | None) -> dict[str, Any]:
    if form is None:
        return {"purpose": FormPurpose.GENERAL.value, "in_bot": True}
    return {
        "slug": form.slug,
        "title_ru": form.title_ru,
        "title_en": form.title_en,
        "description_ru": form.description_ru,
        "description_en": form.description_en,
        "purpose": form.purpose,
        "tags": ", ".join(form.tags or []),
        "programme": form.programme or "",
        "thanks_ru": form.thanks_ru,
        "thanks_en": form.thanks_en,
        "in_bot": form.in_bot,
        "event_id": str(form.event_id or ""),
        "application_type_id": str(form.application_type_id or ""),
    }


def _id(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def _form_draft(posted: PostedForm) -> d.FormDraft:
    v = posted.values
    return d.FormDraft(
        slug=str(v.get("slug") or ""),
        title_ru=str(v.get("title_ru") or ""),
        title_en=str(v.get("title_en") or ""),
        description_ru=str(v.get("description_ru") or ""),
        description_en=str(v.get("description_en") or ""),
        purpose=str(v.get("purpose") or FormPurpose.GENERAL),
        tags=str(v.get("tags") or "")[:1000],
        programme=str(v.get("programme") or ""),
        thanks_ru=str(v.get("thanks_ru") or ""),
        thanks_en=str(v.get("thanks_en") or ""),
        in_bot=posted.flag("in_bot"),
        event_id=_id(v.get("event_id")),
        application_type_id=_id(v.get("application_type_id")),
    )


@audience
async def form_new(request: web.Request) -> web.StreamResponse:
    posted = PostedForm(values=_form_values(None))
    if request.method == "POST":
        posted = PostedForm.posted(await request.post())
        try:
            form = await d.create_form(request[DB_KEY], _form_draft(posted), actor=request[USER_KEY].actor)
        except DomainError as exc:
            await request[DB_KEY].rollback()
            posted.fail_domain(exc)
        else:
            await flash(request, gettext("Form “%(name)s” created. Now add its fields.", name=form.title_ru))
            raise web.HTTPSeeOther(request.app.router["form_edit"].url_for(form_id=str(form.id)))
    return await _render_edit(request, None, posted, PostedForm())


@audience
async def form_edit(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    posted = PostedForm(values=_form_values(form))
    if request.method == "POST":
        posted = PostedForm.posted(await request.post())
        try:
            await d.update_form(request[DB_KEY], form.id, _form_draft(posted), actor=request[USER_KEY].actor)
        except DomainError as exc:
            await request[DB_KEY].rollback()
            posted.fail_domain(exc)
            form = await _form(request)
        else:
            await flash(request, gettext("Form saved."))
            raise web.HTTPSeeOther(request.app.router["form_edit"].url_for(form_id=str(form.id)))
    return await _render_edit(request, form, posted, PostedForm(values={"kind": "text"}))


async def _render_edit(
    request: web.Request,
    form: Form | None,
    posted: PostedForm,
    field_form: PostedForm,
    *,
    editing: int | None = None,
) -> web.Response:
    fields = await d.fields_of(request[DB_KEY], form.id) if form else []
    return await render(
        request,
        "forms/edit.html",
        {
            "item": form,
            "form": posted,
            "field_form": field_form,
            "fields": fields,
            "editing": editing,
            "links": form_links(request, form) if form else None,
            "purposes": [(k.value, gettext(v)) for k, v in PURPOSE_LABELS.items()],
            "kinds": [(k.value, gettext(v)) for k, v in KIND_LABELS.items()],
            "maps_to": [(k, gettext(v)) for k, v in MAPS_TO_LABELS.items()],
            "kind_labels": {k.value: gettext(v) for k, v in KIND_LABELS.items()},
            "options_text": d.options_text,
            "section": "forms",
        },
        status=200 if posted.ok and field_form.ok else 400,
    )


@audience
async def form_active(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    data = await request.post()
    active = str(data.get("active") or "") == "1"
    await d.set_active(request[DB_KEY], form.id, active, actor=request[USER_KEY].actor)
    await flash(request, gettext("The form accepts answers.") if active else gettext("The form is closed."))
    raise web.HTTPSeeOther(request.app.router["forms"].url_for())


def _field_draft(posted: PostedForm) -> d.FieldDraft:
    v = posted.values
    rules = {
        name: str(v.get(name) or "").strip()[:200]
        for name in ("min_length", "max_length", "min", "max", "pattern", "max_files")
    }
    if posted.flag("mailing"):
        rules["mailing"] = "1"
    return d.FieldDraft(
        key=str(v.get("key") or ""),
        kind=str(v.get("kind") or ""),
        label_ru=str(v.get("label_ru") or ""),
        label_en=str(v.get("label_en") or ""),
        help_ru=str(v.get("help_ru") or ""),
        help_en=str(v.get("help_en") or ""),
        required=posted.flag("required"),
        options=d.parse_options(str(v.get("options") or "")[:10_000]),
        rules={k: val for k, val in rules.items() if val},
        maps_to=str(v.get("maps_to") or "") or None,
    )


def field_values(item: FormField) -> dict[str, Any]:
    r = item.rules or {}
    return {
        "key": item.key,
        "kind": item.kind,
        "label_ru": item.label_ru,
        "label_en": item.label_en,
        "help_ru": item.help_ru,
        "help_en": item.help_en,
        "required": item.required,
        "options": d.options_text(item.options),
        "maps_to": item.maps_to or "",
        "mailing": bool(r.get("mailing")),
        **{k: str(r.get(k, "")) for k in ("min_length", "max_length", "min", "max", "pattern", "max_files")},
    }


@audience
async def field_add(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    posted = PostedForm.posted(await request.post())
    try:
        await d.add_field(request[DB_KEY], form.id, _field_draft(posted), actor=request[USER_KEY].actor)
    except DomainError as exc:
        await request[DB_KEY].rollback()
        posted.errors["field"] = translate_error(exc.message, exc.params)
        form = await _form(request)
        return await _render_edit(request, form, PostedForm(values=_form_values(form)), posted)
    await flash(request, gettext("Field added."))
    raise web.HTTPSeeOther(request.app.router["form_edit"].url_for(form_id=str(form.id)))


@audience
async def field_edit(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    field_id = int(request.match_info["field_id"])
    item = next((f for f in await d.fields_of(request[DB_KEY], form.id) if f.id == field_id), None)
    if item is None:
        raise web.HTTPNotFound()
    posted = PostedForm(values=field_values(item))
    if request.method == "POST":
        posted = PostedForm.posted(await request.post())
        try:
            await d.update_field(
                request[DB_KEY], form.id, field_id, _field_draft(posted), actor=request[USER_KEY].actor
            )
        except DomainError as exc:
            await request[DB_KEY].rollback()
            posted.errors["field"] = translate_error(exc.message, exc.params)
            form = await _form(request)
        else:
            await flash(request, gettext("Field saved."))
            raise web.HTTPSeeOther(request.app.router["form_edit"].url_for(form_id=str(form.id)))
    return await _render_edit(request, form, PostedForm(values=_form_values(form)), posted, editing=field_id)


@audience
async def field_delete(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    try:
        await d.delete_field(
            request[DB_KEY], form.id, int(request.match_info["field_id"]), actor=request[USER_KEY].actor
        )
    except NotFound:
        raise web.HTTPNotFound() from None
    await flash(request, gettext("Field deleted. Answers given already keep it."))
    raise web.HTTPSeeOther(request.app.router["form_edit"].url_for(form_id=str(form.id)))


@audience
async def field_move(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    step = -1 if request.match_info["direction"] == "up" else 1
    try:
        await d.move_field(
            request[DB_KEY], form.id, int(request.match_info["field_id"]), step, actor=request[USER_KEY].actor
        )
    except NotFound:
        raise web.HTTPNotFound() from None
    raise web.HTTPSeeOther(request.app.router["form_edit"].url_for(form_id=str(form.id)))
