"""Russian first: every message id in the code has a Russian translation."""

from __future__ import annotations

from porucheno.i18n import gettext
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
