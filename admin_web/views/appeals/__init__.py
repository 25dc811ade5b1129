"""The panel's appeals and correspondents (clerks, managers, administrators)."""

from __future__ import annotations

from aiohttp import web

from admin_web.security import Handler
from admin_web.views.appeals import (
    actions,
    assign,
    correspondents,
    files,
    letter,
    listing,
    mark_actions,
    merge,
    messengers,
    outcome_actions,
    page,
    quarantine,
    question_actions,
    register,
    registration_actions,
    sections,
    suggestions,
)

# The paper-letter form takes scans; app.py raises the body limit for this route name.
UPLOAD_ROUTE = "appeal_new"
ANSWER_ROUTE = "appeal_answer"  # the answer form takes attachments too
MAX_REQUEST_BYTES = register.MAX_REQUEST_BYTES

_APPEAL = r"/appeals/{appeal_id:\d+}"
_CORRESPONDENT = r"/correspondents/{correspondent_id:\d+}"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/appeals", listing.appeal_list, name="appeals")
    router.add_get(r"/appeals/export.{fmt:(xlsx|csv)}", listing.appeal_export, name="appeals_export")
    _get_post(router, "/appeals/new", register.appeal_new, UPLOAD_ROUTE)
    router.add_get(_APPEAL, page.appeal_page, name="appeal_page")
    _get_post(router, _APPEAL + "/assign", assign.appeal_assign, "appeal_assign")
    router.add_post(_APPEAL + "/extend", actions.appeal_extend, name="appeal_extend")
    router.add_post(_APPEAL + "/answer", actions.appeal_answer, name=ANSWER_ROUTE)
    router.add_get(_APPEAL + "/letter", letter.appeal_letter, name="appeal_letter")
    router.add_post(_APPEAL + "/reject", actions.appeal_reject, name="appeal_reject")
    router.add_post(_APPEAL + "/close", actions.appeal_close, name="appeal_close")
    router.add_get(r"/appeals/files/{file_id:\d+}", files.appeal_file, name="appeal_file")
    sections.add_routes(router)
    question_actions.add_routes(router)  # after the page: its forms re-render it
    registration_actions.add_routes(router)
    outcome_actions.add_routes(router)  # the art. 11 forms, likewise
    mark_actions.add_routes(router)
    _quarantine_routes(router)
    router.add_get("/correspondents", correspondents.correspondent_list, name="correspondents")
    router.add_get(
        r"/correspondents/export.{fmt:(xlsx|csv)}",
        correspondents.correspondent_export,
        name="correspondents_export",
    )
    router.add_get("/correspondents/lookup", correspondents.correspondent_lookup, name="correspondent_lookup")
    router.add_get(_CORRESPONDENT, correspondents.correspondent_page, name="correspondent_page")
    router.add_post(
        _CORRESPONDENT + "/messenger", messengers.correspondent_messenger, name="correspondent_messenger"
    )
    router.add_get(
        "/correspondents/suggestions", suggestions.suggestion_list, name="correspondent_suggestions"
    )
    router.add_post(
        r"/correspondents/suggestions/{suggestion_id:\d+}/{decision:(confirm|dismiss)}",
        suggestions.suggestion_decide,
        name="correspondent_suggestion_decide",
    )
    _get_post(
        router, _CORRESPONDENT + r"/merge/{other_id:\d+}", merge.correspondent_merge, "correspondent_merge"
    )


def _quarantine_routes(router: web.UrlDispatcher) -> None:
    item = r"/appeals/quarantine/{item_id:\d+}"
    router.add_get("/appeals/quarantine", quarantine.quarantine_list, name="mail_quarantine")
    router.add_get(item, quarantine.quarantine_item, name="mail_quarantine_item")
    router.add_get(item + "/letter.eml", quarantine.quarantine_download, name="mail_quarantine_download")
    router.add_post(item + "/retry", quarantine.quarantine_retry, name="mail_quarantine_retry")
    router.add_post(item + "/dismiss", quarantine.quarantine_dismiss, name="mail_quarantine_dismiss")


def _get_post(router: web.UrlDispatcher, path: str, handler: Handler, name: str) -> None:
    resource = router.add_resource(path, name=name)
    resource.add_route("GET", handler)
    resource.add_route("POST", handler)
