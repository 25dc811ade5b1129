"""Outside organisations in the panel: the directory, each one's card, KPI of all of them."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.partners import card, directory, kpi

ORG = r"/organisations/{org_id:\d{1,18}}"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/organisations", directory.organisation_list, name="organisations")
    router.add_get("/organisations/kpi", kpi.organisations_kpi, name="organisations_kpi")
    new = router.add_resource("/organisations/new", name="organisation_new")
    new.add_route("GET", directory.organisation_new)
    new.add_route("POST", directory.organisation_new)
    router.add_get(ORG, card.organisation_page, name="organisation_page")
    edit = router.add_resource(ORG + "/edit", name="organisation_edit")
    edit.add_route("GET", directory.organisation_edit)
    edit.add_route("POST", directory.organisation_edit)
    router.add_post(ORG + "/active", directory.organisation_active, name="organisation_active")
    router.add_post(ORG + "/areas", card.area_add, name="organisation_area_add")
    router.add_post(
        ORG + r"/areas/{area_id:\d{1,18}}/remove", card.area_remove, name="organisation_area_remove"
    )
    router.add_post(ORG + "/invites", card.invite_create, name="organisation_invite")
    router.add_post(
        ORG + r"/invites/{invite_id:\d{1,18}}/revoke", card.invite_revoke, name="organisation_invite_revoke"
    )
    router.add_post(
        ORG + r"/people/{user_id:\d{1,18}}/deactivate", card.person_deactivate, name="organisation_person_off"
    )
    router.add_post(
        ORG + r"/people/{user_id:\d{1,18}}/head", card.person_head, name="organisation_person_head"
    )
