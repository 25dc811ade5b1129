"""The ЕДДС journal in the panel: incidents (list, card, the dispatcher's forms) and the shift hand-over."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.incidents import card, decide, listing, new, shift_pages

INCIDENT = r"/incidents/{incident_id:\d{1,18}}"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/incidents", listing.incident_list, name="incidents")
    resource = router.add_resource("/incidents/new", name="incident_new")
    resource.add_route("GET", new.incident_new)
    resource.add_route("POST", new.incident_new)
    router.add_get(INCIDENT, card.incident_page, name="incident_page")
    router.add_post(INCIDENT + "/action", card.incident_action, name="incident_action")
    router.add_post(INCIDENT + "/responsible", card.incident_responsible, name="incident_responsible")
    router.add_post(INCIDENT + "/cause", card.incident_cause, name="incident_cause")
    router.add_post(INCIDENT + "/place", card.incident_place_edit, name="incident_place")
    router.add_post(INCIDENT + "/close", card.incident_close, name="incident_close")
    router.add_post(INCIDENT + "/reopen", card.incident_reopen, name="incident_reopen")
    router.add_post(
        r"/dispatch-updates/{update_id:\d{1,18}}/decide", decide.decide_update, name="dispatch_update_decide"
    )
    shift = router.add_resource("/shift", name="shift_handover")
    shift.add_route("GET", shift_pages.shift_handover)
    shift.add_route("POST", shift_pages.shift_handover)
    router.add_get(
        r"/shift/current.{fmt:(xlsx|pdf)}", shift_pages.shift_current_file, name="shift_current_file"
    )
    router.add_get(
        r"/shift/{handover_id:\d{1,18}}", shift_pages.shift_handover_page, name="shift_handover_page"
    )
    router.add_get(
        r"/shift/{handover_id:\d{1,18}}.{fmt:(xlsx|pdf)}",
        shift_pages.shift_handover_file,
        name="shift_handover_file",
    )
