"""The panel's expert council (issue #16): meetings, their page (agenda, attendance, votes, decisions,
closing, the protocol), the registry's staff side, and the public registry ``/registry``."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.council import meeting_actions, meeting_page, meetings, registry_public, registry_staff


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/council", meetings.meeting_list, name="council")
    router.add_route("*", "/council/new", meetings.meeting_new, name="council_new")
    router.add_route("*", r"/council/{meeting_id:\d+}/edit", meetings.meeting_edit, name="council_edit")
    router.add_post(r"/council/{meeting_id:\d+}/cancel", meetings.meeting_cancel, name="council_cancel")
    router.add_get(r"/council/{meeting_id:\d+}", meeting_page.meeting, name="council_meeting")
    router.add_get(
        r"/council/{meeting_id:\d+}/protocol.{fmt:docx|pdf}", meeting_page.protocol, name="council_protocol"
    )
    router.add_post(r"/council/{meeting_id:\d+}/{op:[a-z_]+}", meeting_actions.action, name="council_action")
    router.add_get("/council/registry", registry_staff.registry, name="council_registry")
    router.add_route(
        "*", r"/council/registry/{entry_id:\d+}", registry_staff.entry_edit, name="council_registry_edit"
    )
    router.add_get("/registry", registry_public.registry, name="public_registry")
    router.add_get(r"/registry/{entry_id:\d+}", registry_public.entry, name="public_registry_entry")
