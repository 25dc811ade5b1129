"""services.forms.validation.shown: a stored answer as people read it, whatever its shape."""

from __future__ import annotations

from models import FormField
from models.enums import FieldKind
from services.forms.validation import plain, shown

OPTIONS = [
    {"value": "weekdays", "ru": "Будни", "en": "Weekdays"},
    {"value": "weekends", "ru": "Выходные", "en": "Weekends"},
    {"value": "any", "ru": "Когда угодно"},
]


def _field(kind: FieldKind) -> FormField:
    return FormField(key="when", kind=kind, label_ru="Когда", options=OPTIONS)


def test_a_choice_reads_as_the_options_words_in_any_shape() -> None:
    for kind in (FieldKind.CHOICE, FieldKind.MULTICHOICE):
        field = _field(kind)
        assert shown(field, "weekdays", "ru") == "Будни"
        assert shown(field, ["weekends", "weekdays"], "ru") == "Выходные, Будни"
        assert shown(field, ["weekends", "no_such"], "en") == "Weekends, no_such"
        assert shown(field, ["any"], "en") == "Когда угодно"  # no English: the Russian words
        assert shown(field, "typed text", "ru") == "typed text"
        assert shown(field, [], "ru") == shown(field, None, "ru") == "—"


def test_other_answers_never_show_a_python_repr() -> None:
    text = _field(FieldKind.TEXT)
    assert shown(text, ["a", "b"], "ru") == "a, b"
    assert plain({"mon": ["morning", "evening"]}) == "mon: morning, evening"
    assert "[" not in shown(_field(FieldKind.TEXTAREA), [["x"], "y"], "ru")
