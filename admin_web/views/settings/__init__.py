"""Settings: what an administrator configures (appeal categories and routing, the organisation's
card, the intake channels' legal regimes, the thematic classifier, outage resources and social object
types; answer templates, which managers keep too). The services re-check the role."""

from __future__ import annotations

from aiohttp import web

from admin_web.views.settings import (
    answer_templates,
    categories,
    channels,
    classifier,
    org,
    outage_catalogs,
    routing,
    social_alerts,
)

CLASSIFIER_ROUTE = classifier.ROUTE  # takes a file: app.py raises the body limit for it
MAX_CLASSIFIER_BYTES = classifier.MAX_BYTES


def _get_post(router: web.UrlDispatcher, path: str, handler: object, name: str) -> None:
    resource = router.add_resource(path, name=name)
    resource.add_route("GET", handler)  # type: ignore[arg-type]
    resource.add_route("POST", handler)  # type: ignore[arg-type]


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/settings", categories.settings_home, name="settings")
    router.add_get("/settings/categories", categories.category_list, name="settings_categories")
    _get_post(router, "/settings/categories/new", categories.category_new, "settings_category_new")
    _get_post(
        router, r"/settings/categories/{item_id:\d{1,18}}", categories.category_edit, "settings_category_edit"
    )
    router.add_post(
        r"/settings/categories/{item_id:\d{1,18}}/active",
        categories.category_active,
        name="settings_category_active",
    )
    router.add_get("/settings/routing", routing.rule_list, name="settings_routing")
    _get_post(router, "/settings/routing/new", routing.rule_new, "settings_rule_new")
    _get_post(router, r"/settings/routing/{item_id:\d{1,18}}", routing.rule_edit, "settings_rule_edit")
    router.add_post(
        r"/settings/routing/{item_id:\d{1,18}}/delete", routing.rule_delete, name="settings_rule_delete"
    )
    _get_post(router, "/settings/organisation", org.org_card_page, "settings_org")
    _get_post(router, "/settings/classifier", classifier.classifier_page, classifier.ROUTE)
    _get_post(router, "/settings/channels", channels.channel_settings, "settings_channels")
    router.add_get("/settings/outages", outage_catalogs.catalog_list, name="settings_outages")
    _get_post(
        router,
        r"/settings/outages/{kind:(resource|social)}/new",
        outage_catalogs.item_new,
        "settings_outage_new",
    )
    _get_post(
        router,
        r"/settings/outages/{kind:(resource|social)}/{item_id:\d{1,18}}",
        outage_catalogs.item_edit,
        "settings_outage_edit",
    )
    _get_post(router, "/settings/social-alerts", social_alerts.social_alerts_page, social_alerts.ROUTE)
    answer_templates.add_routes(router)
