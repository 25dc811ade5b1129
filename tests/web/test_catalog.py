"""Every message the panel can show has a Russian translation (Russian is the product's default)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

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
        ids.update([message] if isinstance(message, str) else [m for m in message if m])
    return ids


def test_every_panel_message_has_a_russian_translation() -> None:
    ids = _extracted_ids()
    assert "Wrong login or password." in ids and "Sandbox chat" in ids  # the extractor saw code and templates
    with (ROOT / "porucheno/locales/ru/LC_MESSAGES/web.po").open("rb") as fh:
        catalog = read_po(fh, locale="ru")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert sorted(ids - translated) == []


def test_english_catalog_lists_the_same_messages() -> None:
    with (ROOT / "porucheno/locales/ru/LC_MESSAGES/web.po").open("rb") as fh:
        ru = {m.id for m in read_po(fh) if m.id}
    with (ROOT / "porucheno/locales/en/LC_MESSAGES/web.po").open("rb") as fh:
        en = {m.id for m in read_po(fh) if m.id}
    assert ru == en
