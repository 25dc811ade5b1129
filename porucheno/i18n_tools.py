"""Catalog maintenance: ``python -m porucheno.i18n_tools update|check``.

Each part of the product keeps its own catalog file (see ``DOMAINS``); ``update`` extracts the
message ids from that part's sources and merges them into ``<lang>/LC_MESSAGES/<domain>.po``;
``update-only DOMAIN...`` does that for some catalogs; ``fill DOMAIN FILE.json`` writes Russian
translations from a ``{msgid: text}`` file; ``check`` lists message ids that have no Russian
translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from porucheno.i18n import DEFAULT_LOCALE, LOCALES_DIR, load_translations

ROOT = Path(__file__).resolve().parent.parent
# Exception classes take a msgid as their first argument, so they are extraction keywords too.
KEYWORDS = {
    "_": None,
    "t": None,
    "__": None,
    "N_": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "DomainError": None,
    "InvalidInput": None,
    "NotFound": None,
    "PermissionDenied": None,
    "InviteError": None,
}
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "silent": "false"}}
DOMAINS: dict[str, tuple[str, ...]] = {
    "bot": ("bot", "handlers"),
    "web": ("admin_web",),
    "addresses": ("services/addresses",),
    "outages": ("services/outages",),
    "services": ("services", "scheduler", "porucheno"),
    # Feature catalogs: one file per feature keeps parallel work on translations apart.
    "dispatch": ("handlers/dispatch",),
    "residents": ("handlers/residents",),
    "web_outages": ("admin_web/views/outages", "admin_web/templates/outages"),
    "appeals": ("services/appeals", "services/correspondents"),
    "mail": ("services/mail",),
    "web_appeals": ("admin_web/views/appeals", "admin_web/templates/appeals"),
    "web_public": ("admin_web/views/public", "admin_web/templates/public"),
    "resident_appeals": ("handlers/appeals",),
    "analytics": ("services/analytics",),
    "projects": ("services/projects",),
    "web_analytics": ("admin_web/views/analytics", "admin_web/templates/analytics"),
    "imports": ("services/imports",),
    "web_imports": ("admin_web/views/imports", "admin_web/templates/imports"),
    "config": ("services/config",),
    "web_settings": ("admin_web/views/settings", "admin_web/templates/settings"),
    "letters": ("services/letters",),
    "privacy": ("services/privacy",),
    "web_privacy": ("admin_web/views/privacy", "admin_web/templates/privacy"),
    "sstu": ("services/sstu",),
    "web_sstu": ("admin_web/views/sstu", "admin_web/templates/sstu"),
    "incidents": ("services/incidents",),
    "partners": ("services/partners",),
    "bot_incidents": ("handlers/incidents",),
    "bot_partners": ("handlers/partners",),
    "bot_shift": ("handlers/shift",),
    "web_incidents": ("admin_web/views/incidents", "admin_web/templates/incidents"),
    "web_partners": ("admin_web/views/partners", "admin_web/templates/partners"),
    "service_desk": ("services/service_desk",),
    "work_calendar": ("services/work_calendar",),
    "task_tools": ("services/checklists", "services/templates", "services/recurring"),
    "bot_service_desk": ("handlers/service_desk",),
    "bot_task_tools": ("handlers/checklists", "handlers/templates"),
    "web_service_desk": ("admin_web/views/service_desk", "admin_web/templates/service_desk"),
    "web_calendar": ("admin_web/views/work_calendar", "admin_web/templates/work_calendar"),
    "web_task_tools": ("admin_web/views/task_tools", "admin_web/templates/task_tools"),
    # Issue #16: the museum's audience and expertise.
    "forms": ("services/forms", "services/audience"),
    "events": ("services/events",),
    "volunteers": ("services/volunteers",),
    "segments": ("services/segments",),
    "mailings": ("services/mailings",),
    "applications": ("services/applications",),
    "council": ("services/council",),
    "bot_forms": ("handlers/forms",),
    "bot_events": ("handlers/events",),
    "bot_volunteers": ("handlers/volunteers",),
    "bot_mailings": ("handlers/mailings",),
    "bot_applications": ("handlers/applications",),
    "web_forms": ("admin_web/views/forms", "admin_web/templates/forms"),
    "web_events": ("admin_web/views/events", "admin_web/templates/events"),
    "web_volunteers": ("admin_web/views/volunteers", "admin_web/templates/volunteers"),
    "web_segments": ("admin_web/views/segments", "admin_web/templates/segments"),
    "web_mailings": ("admin_web/views/mailings", "admin_web/templates/mailings"),
    "web_applications": ("admin_web/views/applications", "admin_web/templates/applications"),
    "web_council": ("admin_web/views/council", "admin_web/templates/council"),
}


def extract(dirs: tuple[str, ...]) -> Catalog:
    catalog = Catalog(project="porucheno", domain=None)
    # A folder that is its own domain (services/addresses) is left out of its parent's (services).
    nested = {o for other in DOMAINS.values() for o in other if any(o.startswith(d + "/") for d in dirs)}
    for d in dirs:
        path = ROOT / d
        if not path.is_dir():
            continue
        # A feature's own template folder is walked from inside, where "**/templates/" cannot match.
        # (Only the panel's: services/templates and handlers/templates are Python packages.)
        inside_templates = Path(d).parts[:2] == ("admin_web", "templates")
        method_map = [("**.html", "jinja2")] if inside_templates else METHOD_MAP
        options = {"**.html": OPTIONS["**/templates/**.html"]} if inside_templates else OPTIONS
        for filename, lineno, message, comments, context in extract_from_dir(
            path, method_map, options, KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            if any(f"{d}/{filename}".startswith(n + "/") for n in nested):
                continue
            catalog.add(message, None, [(f"{d}/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def update(names: list[str] | None = None) -> None:
    for domain, dirs in DOMAINS.items():
        if names is not None and domain not in names:
            continue
        template = extract(dirs)
        for lang_dir in sorted(p for p in LOCALES_DIR.iterdir() if p.is_dir()):
            po_path = lang_dir / "LC_MESSAGES" / f"{domain}.po"
            if po_path.exists():
                with po_path.open("rb") as fh:
                    catalog = read_po(fh, locale=lang_dir.name)
            else:
                catalog = Catalog(locale=lang_dir.name, project="porucheno")
            catalog.update(template, no_fuzzy_matching=True)
            po_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("wb") as fh:
                write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True)
            print(f"updated {po_path.relative_to(ROOT)} ({len(catalog)} messages)")


def update_domains(names: list[str]) -> None:
    """``update`` limited to some catalogs; nesting is still judged against every catalog."""
    update(names)


def fill(domain: str, translations: dict[str, str], locale: str = DEFAULT_LOCALE) -> int:
    """Write ``msgid -> translation`` pairs into ``<locale>/<domain>.po``; returns how many were set.

    Plural entries take a list of forms. Ids not in the catalog are ignored (run ``update`` first).
    """
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    count = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key and key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            count += 1
    with po_path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True)
    return count


def untranslated(locale: str = DEFAULT_LOCALE) -> list[tuple[str, str]]:
    """(msgid, where) for every message id in the code that has no translation in ``locale``."""
    load_translations.cache_clear()
    translations = load_translations().get(locale)
    missing: list[tuple[str, str]] = []
    for dirs in DOMAINS.values():
        for message in extract(dirs):
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            catalog = translations._catalog if translations is not None else {}  # type: ignore[attr-defined]
            # Plural entries are keyed (msgid, form) in a compiled catalog.
            if catalog.get(msgid) is None and catalog.get((msgid, 0)) is None:
                where = f"{message.locations[0][0]}:{message.locations[0][1]}" if message.locations else "?"
                missing.append((msgid, where))
    return missing


def conflicts(locale: str = DEFAULT_LOCALE) -> list[tuple[str, list[tuple[str, str]]]]:
    """Message ids translated differently in two catalogs. All catalogs are merged at start-up, so
    only one of the translations would ever be shown: give such messages distinct ids instead."""
    seen: dict[str, dict[str, str]] = {}
    for po_path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        for message in catalog:
            if not message.id or not message.string or "fuzzy" in message.flags:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else " | ".join(message.string)
            seen.setdefault(key, {})[po_path.stem] = text
    return [
        (msgid, sorted(by_domain.items()))
        for msgid, by_domain in sorted(seen.items())
        if len(set(by_domain.values())) > 1
    ]


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["update-only"] and len(argv) > 1:
        update_domains(argv[1:])
        return 0
    if argv[:1] == ["fill"] and len(argv) == 3:
        import json

        count = fill(argv[1], json.loads(Path(argv[2]).read_text(encoding="utf-8")))
        print(f"{count} translations written to {argv[1]}.po")
        return 0
    if argv[:1] == ["check"]:
        missing = untranslated()
        for msgid, where in missing:
            print(f"{where}: {msgid!r}")
        clashes = conflicts()
        for msgid, versions in clashes:
            print(f"translated differently: {msgid!r}: " + "; ".join(f"{d}: {t!r}" for d, t in versions))
        return 1 if missing or clashes else 0
    print(
        "usage: python -m porucheno.i18n_tools update | update-only DOMAIN... | fill DOMAIN FILE | check",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
