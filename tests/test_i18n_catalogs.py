"""Russian first: every message id in the code has a Russian translation."""

from __future__ import annotations

import re
from collections import Counter

from babel.messages.pofile import read_po

from porucheno.i18n import LOCALES_DIR, gettext
from porucheno.i18n_tools import conflicts, untranslated


def test_every_message_has_a_russian_translation() -> None:
    missing = untranslated("ru")
    assert not missing, "untranslated message ids:\n" + "\n".join(f"  {w}: {m!r}" for m, w in missing)


def test_no_message_is_translated_two_ways() -> None:
    # Catalogs are merged at start-up: a message id with two translations would show only one of them.
    clashes = conflicts("ru")
    assert not clashes, "\n".join(f"  {m!r}: {v}" for m, v in clashes)


def test_lookup_uses_russian_by_default_and_english_on_request() -> None:
    assert gettext("ru", "Department not found.") == "Подразделение не найдено."
    assert gettext("en", "Department not found.") == "Department not found."
    assert gettext("ru", "The password must be at least %(n)d characters long.", n=8) == (
        "Пароль должен содержать не менее 8 символов."
    )


# printf style (%(name)s, %s, %d …; %% is a literal) and str.format style ({name}, {name:>3};
# {{ }} are literals). A translation that loses or invents one fails at run time (KeyError,
# TypeError) or shows the reader a raw "%(count)d".
_PLACEHOLDER = re.compile(
    r"%%|%\((?P<named>[^)]+)\)[#0\- +]*\d*(?:\.\d+)?[a-zA-Z]"
    r"|%[#0\- +]*\d*(?:\.\d+)?(?P<positional>[diouxXeEfFgGcrsa])"
    r"|\{\{|\}\}|\{(?P<field>[A-Za-z_][A-Za-z0-9_]*)[^{}]*\}"
)


def placeholders(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for match in _PLACEHOLDER.finditer(text):
        if match["named"]:
            found[f"%({match['named']})"] += 1
        elif match["positional"]:
            found[f"%{match['positional']}"] += 1
        elif match["field"]:
            found[f"{{{match['field']}}}"] += 1
    return found


def placeholder_mismatches() -> tuple[list[str], int]:
    """Every non-empty msgstr of every catalog and language against its msgid; for plural entries
    each form must keep the placeholders of the singular or of the plural id (a form for "one" may
    spell the number out), and never bring one of its own."""
    problems: list[str] = []
    checked = 0
    for po_path in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        where = po_path.relative_to(LOCALES_DIR)
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = [placeholders(msgid) for msgid in ids]
            for form in forms:
                if not form:
                    continue
                checked += 1
                got = placeholders(form)
                # Positional %s must also keep their count; named ones may repeat.
                ok = got in expected if len(ids) == 1 else set(got) in [set(e) for e in expected]
                if not ok:
                    problems.append(f"  {where}: {ids[0]!r} -> {form!r}: {dict(got)} != {dict(expected[-1])}")
    return problems, checked


def test_placeholder_parser_sees_every_style() -> None:
    assert placeholders("%(n)d of %(total)s, %s and %5.1f%% {name} {value:>3} {{literal}}") == Counter(
        {"%(n)": 1, "%(total)": 1, "%s": 1, "%f": 1, "{name}": 1, "{value}": 1}
    )


def test_every_translation_keeps_the_placeholders_of_its_message_id() -> None:
    problems, checked = placeholder_mismatches()
    assert checked > 1000, f"only {checked} translations read: are the catalogs where the test looks?"
    assert not problems, "translations with other placeholders than their message id:\n" + "\n".join(problems)
