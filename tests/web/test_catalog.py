"""Every message the panel can show has a Russian translation (Russian is the product's default)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from porucheno.i18n import load_translations

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = ("_", "gettext", "ngettext", "N_")


def _extracted_ids() -> set[str]:
    with (ROOT / "admin_web" / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {k: (1, 2) if k == "ngettext" else None for k in KEYWORDS}
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        # A plural entry is keyed by its singular: (singular, 0) … in the catalog.
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_panel_message_has_a_russian_translation() -> None:
    ids = _extracted_ids()
    assert "Wrong login or password." in ids and "Sandbox chat" in ids  # the extractor saw code and templates
    # The panel's feature catalogs (web_*.po) are merged with web.po at start-up, as in production.
    load_translations.cache_clear()
    catalog = load_translations()["ru"]._catalog  # type: ignore[attr-defined]
    missing = [i for i in ids if catalog.get(i) is None and catalog.get((i, 0)) is None]
    assert sorted(missing) == []


def test_english_catalogs_list_the_same_messages() -> None:
    for ru_path in sorted((ROOT / "porucheno/locales/ru/LC_MESSAGES").glob("*.po")):
        with ru_path.open("rb") as fh:
            ru = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
        with (ru_path.parents[2] / "en/LC_MESSAGES" / ru_path.name).open("rb") as fh:
            en = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
        assert ru == en, ru_path.name
