"""Personal data (152-FZ) in the panel: the consent text's versions (administrators), the public
consent page, a person's data export and erasure from the correspondent card, the access log."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.privacy import access_log, consent_texts, public_consent, requests


def _get_post(router: web.UrlDispatcher, path: str, handler: object, name: str) -> None:
    resource = router.add_resource(path, name=name)
    resource.add_route("GET", handler)  # type: ignore[arg-type]
    resource.add_route("POST", handler)  # type: ignore[arg-type]


def add_routes(router: web.UrlDispatcher) -> None:
    # /consent and /consent/<version>: the appeals text (the addresses published before purposes).
    router.add_get("/consent", public_consent.consent_page, name="public_consent")
    router.add_get(r"/consent/{version:\d{1,8}}", public_consent.consent_page, name="public_consent_version")
    router.add_get(
        r"/consent/{purpose:[a-z]{3,32}}", public_consent.consent_page, name="public_consent_purpose"
    )
    router.add_get(
        r"/consent/{purpose:[a-z]{3,32}}/{version:\d{1,8}}",
        public_consent.consent_page,
        name="public_consent_purpose_version",
    )
    _get_post(router, "/privacy/consent", consent_texts.consent_texts, "privacy_consent")
    router.add_get(
        r"/privacy/consent/{version:\d{1,8}}", consent_texts.consent_version, name="privacy_consent_version"
    )
    router.add_get(
        r"/privacy/consent/{purpose:[a-z]{3,32}}/{version:\d{1,8}}",
        consent_texts.consent_version,
        name="privacy_consent_purpose_version",
    )
    router.add_get("/privacy/access-log", access_log.access_log_page, name="privacy_access_log")
    router.add_get(
        r"/correspondents/{correspondent_id:\d{1,18}}/personal-data.zip",
        requests.export_person,
        name="privacy_export",
    )
    _get_post(
        router, r"/correspondents/{correspondent_id:\d{1,18}}/erase", requests.erase_person, "privacy_erase"
    )
