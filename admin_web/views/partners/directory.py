"""«Organisations»: the list, the create/edit form, deactivating and activating."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import EMAIL_RE, PHONE_RE, Form
from admin_web.i18n import N_, gettext
from admin_web.keys import DB_KEY, USER_KEY
from admin_web.render import flash, render
from admin_web.views.partners.common import (
    SEARCH_LIMIT,
    admin_only,
    labels,
    organisation_from,
    page_url,
    resource_options,
    viewer,
)
from models import Organisation
from models.enums import OrganisationKind, PublishMode, Role
from services.errors import DomainError
from services.partners import directory, people
from services.partners import labels as partner_labels

NOTE_LIMIT = 2000


@viewer
async def organisation_list(request: web.Request) -> web.StreamResponse:
    db = request[DB_KEY]
    text = (request.query.get("q") or "").strip()[:SEARCH_LIMIT]
    kind = request.query.get("kind") or ""
    kind = kind if kind in set(OrganisationKind) else ""
    orgs = await directory.list_organisations(db, text=text, kind=kind or None)
    return await render(
        request,
        "partners/list.html",
        {
            **labels(),
            "organisations": orgs,
            "counts": await people.people_counts(db),
            "q": text,
            "kind": kind,
            "kinds": partner_labels.KIND_NAMES,
            "can_edit": request[USER_KEY].has_role(Role.ADMIN),
            "section": "organisations",
        },
    )


@admin_only
async def organisation_new(request: web.Request) -> web.StreamResponse:
    return await _edit(request, None)


@admin_only
async def organisation_edit(request: web.Request) -> web.StreamResponse:
    return await _edit(request, await organisation_from(request))


def _read(form: Form) -> directory.OrganisationInput:
    name = form.text("name", required=True) or ""
    short_name = form.text("short_name", max_length=64)
    kind = str(form.values.get("kind") or "")
    if kind not in set(OrganisationKind):
        form.fail("kind", N_("Choose a value from the list."))
    inn = form.text("inn", max_length=12)
    phone = form.matching("phone", PHONE_RE, N_("Enter a valid phone number."), max_length=32)
    email = form.matching("email", EMAIL_RE, N_("Enter a valid e-mail address."))
    resources = form.choices("resources", {code for code, _label in resource_options()})
    mode = str(form.values.get("publish_mode") or "")
    if mode not in set(PublishMode):
        form.fail("publish_mode", N_("Choose a value from the list."))
    note = form.text("note", max_length=NOTE_LIMIT) or ""
    return directory.OrganisationInput(
        name=name,
        kind=kind or OrganisationKind.OTHER,
        short_name=short_name,
        inn=inn,
        phone=phone,
        email=email,
        resources=tuple(resources),
        publish_mode=mode or PublishMode.APPROVAL,
        note=note,
    )


async def _edit(request: web.Request, org: Organisation | None) -> web.StreamResponse:
    db = request[DB_KEY]
    org_id = org.id if org else None
    if request.method == "POST":
        form = Form.posted(await request.post(), multi=("resources",))
        data = _read(form)
        if form.ok:
            for problem in await directory.problems(db, data, exclude_id=org_id):
                form.fail_domain(problem)
        if form.ok:
            actor = request[USER_KEY].actor
            try:
                if org_id is None:
                    saved = await directory.create_organisation(db, actor, data)
                else:
                    saved = await directory.update_organisation(db, actor, org_id, data)
            except DomainError as exc:
                await db.rollback()
                form.fail_domain(exc)
            else:
                await flash(request, gettext("Organisation «%(name)s» saved.", name=saved.name))
                raise web.HTTPSeeOther(page_url(request, saved))
    else:
        form = Form(values=_values(org))
    return await render(
        request,
        "partners/edit.html",
        {
            "form": form,
            "org_id": org_id,
            "kind_options": [(code, gettext(name)) for code, name in partner_labels.KIND_NAMES.items()],
            "mode_options": [
                (code, gettext(name)) for code, name in partner_labels.PUBLISH_MODE_NAMES.items()
            ],
            "resource_options": resource_options(),
            "section": "organisations",
        },
    )


def _values(org: Organisation | None) -> dict[str, object]:
    if org is None:
        return {"kind": OrganisationKind.MANAGEMENT.value, "publish_mode": PublishMode.APPROVAL.value}
    return {
        "name": org.name,
        "short_name": org.short_name or "",
        "kind": org.kind,
        "inn": org.inn or "",
        "phone": org.phone or "",
        "email": org.email or "",
        "resources": [c for c in org.resources.split(",") if c],
        "publish_mode": org.publish_mode,
        "note": org.note,
    }


@admin_only
async def organisation_active(request: web.Request) -> web.StreamResponse:
    org = await organisation_from(request)
    active = (await request.post()).get("active") == "1"
    await directory.set_active(request[DB_KEY], request[USER_KEY].actor, org.id, active)
    message = (
        N_("Organisation «%(name)s» activated.") if active else N_("Organisation «%(name)s» deactivated.")
    )
    await flash(request, gettext(message, name=org.name))
    raise web.HTTPSeeOther(page_url(request, org))
