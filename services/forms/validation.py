"""One check of an answer to a form field, used by the public web page and the bot alike.

``validate(field, raw, locale)`` takes what a person typed or pressed (a string, a list of option
values for multichoice, a bool for consent) and gives back the stored value or a translated error.
Files are checked by their bytes in ``services.files``; here only their number is checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from models import FormField
from models.enums import FieldKind
from services.correspondents import normalize_email, normalize_phone
from services.notify import N_, Translator

TEXT_LIMIT = 500  # one line, whatever the form's rules say
TEXTAREA_LIMIT = 4000  # several lines: fits a Telegram message with the summary's labels cut
NUMBER_LIMIT = 10**12
PATTERN_LIMIT = 200
MAX_FILES_LIMIT = 10
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")  # typed in the bot; the browser's date input
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{2,}$")
EMPTY = object()  # an optional field left empty


@dataclass(frozen=True, slots=True)
class Checked:
    """A checked answer: ``value`` to store (None for an empty optional field) or ``error``."""

    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def option_label(field: FormField, value: object, locale: str) -> str:
    """The option's words in ``locale`` (Russian when it has no English); an unknown code as it is."""
    code = plain(value)
    for option in field.options or []:
        if isinstance(option, dict) and option.get("value") is not None and str(option.get("value")) == code:
            return str(option.get("en") if locale == "en" and option.get("en") else option.get("ru") or code)
    return code


def option_labels(field: FormField, value: object, locale: str) -> list[str]:
    """Whatever a choice field keeps (one code, a list of codes, even a shape the field's kind does
    not expect after an admin changed it) as the options' words, unknown codes as they are."""
    items = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
    return [option_label(field, item, locale) for item in items if item is not None and item != ""]


def plain(value: object) -> str:
    """Any stored answer as text for people: a list joined with «, », never a Python repr."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(text for text in (plain(v) for v in value) if text)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items())
    return str(value)


def option_values(field: FormField) -> list[str]:
    return [str(o.get("value")) for o in field.options or [] if o.get("value") is not None]


def rules(field: FormField) -> dict[str, Any]:
    return field.rules if isinstance(field.rules, dict) else {}


def _is_empty(raw: object) -> bool:
    if raw is None or raw is False:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple)):
        return not raw
    return False


def validate(field: FormField, raw: object, locale: str) -> Checked:
    """The answer to store, or the error to show next to the field (in ``locale``)."""
    t = Translator(locale)
    if _is_empty(raw):
        if field.required:
            if field.kind == FieldKind.CONSENT:
                return Checked(error=t(N_("Your consent is needed to send the form.")))
            return Checked(error=t(N_("This field is required.")))
        return Checked(value=None)
    try:
        return Checked(value=_check(field, raw, t))
    except _Refused as exc:
        return Checked(error=t(exc.message, **exc.params))


class _Refused(Exception):
    def __init__(self, message: str, **params: object) -> None:
        self.message, self.params = message, params


def _check(field: FormField, raw: object, t: Translator) -> Any:
    kind = field.kind
    r = rules(field)
    if kind == FieldKind.MULTICHOICE:
        picked = raw if isinstance(raw, (list, tuple)) else [raw]
        allowed = option_values(field)
        values = [str(v) for v in dict.fromkeys(str(p) for p in picked)]
        if any(v not in allowed for v in values):
            raise _Refused(N_("Choose from the options offered."))
        return [v for v in allowed if v in values]  # the form's order, whatever the order of presses
    if kind == FieldKind.CONSENT:
        if raw is True or str(raw).strip().lower() in ("1", "on", "true", "yes"):
            return True
        raise _Refused(N_("Your consent is needed to send the form."))
    if kind == FieldKind.FILE:
        count = raw if isinstance(raw, int) else len(raw) if isinstance(raw, (list, tuple)) else 1
        limit = min(int(r.get("max_files") or 1), MAX_FILES_LIMIT)
        if count > limit:
            raise _Refused(N_("At most %(n)s files can be attached here."), n=limit)
        return count
    if kind == FieldKind.NUMBER and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)  # a checked answer checked again (the bot keeps checked values until Send)
    if not isinstance(raw, str):
        raise _Refused(N_("Please answer with text."))
    text = raw.strip()
    if kind == FieldKind.CHOICE:
        if text not in option_values(field):
            raise _Refused(N_("Choose from the options offered."))
        return text
    if kind == FieldKind.DATE:
        return _date(text).isoformat()
    if kind == FieldKind.NUMBER:
        return _number(text, r)
    if kind == FieldKind.PHONE:
        phone = normalize_phone(text) if len(text) <= 32 else None
        if phone is None:
            raise _Refused(N_("Enter a phone number like +7 900 123-45-67."))
        return phone
    if kind == FieldKind.EMAIL:
        email = normalize_email(text) if len(text) <= 254 and EMAIL_RE.match(text) else None
        if email is None:
            raise _Refused(N_("Enter an e-mail address like name@example.ru."))
        return email
    return _text(text, kind, r)


def _text(text: str, kind: str, r: dict[str, Any]) -> str:
    if kind == FieldKind.TEXT:
        text = " ".join(text.split())  # one line: new lines and runs of spaces become one space
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    hard = TEXTAREA_LIMIT if kind == FieldKind.TEXTAREA else TEXT_LIMIT
    longest = min(int(r.get("max_length") or hard), hard)
    if len(text) > longest:
        raise _Refused(N_("At most %(n)s characters, please (now %(len)s)."), n=longest, len=len(text))
    shortest = int(r.get("min_length") or 0)
    if len(text) < shortest:
        raise _Refused(N_("At least %(n)s characters, please."), n=shortest)
    pattern = r.get("pattern")
    if pattern and isinstance(pattern, str) and len(pattern) <= PATTERN_LIMIT:
        try:
            matches = re.fullmatch(pattern, text) is not None
        except re.error:
            matches = True  # a broken pattern is the editor's mistake, not the person's
        if not matches:
            raise _Refused(N_("The answer does not have the expected format."))
    return text


def _date(text: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(text[:10], fmt).date() if len(text) <= 10 else None
        except ValueError:
            continue
        if day is not None and 1900 <= day.year <= 2100:
            return day
    raise _Refused(N_("Enter a date like 25.12.2026."))


def _number(text: str, r: dict[str, Any]) -> int | float:
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        value = float(cleaned) if len(cleaned) <= 20 else None
    except ValueError:
        value = None
    if value is None or value != value or abs(value) > NUMBER_LIMIT:  # NaN, inf, absurd
        raise _Refused(N_("Enter a number."))
    if r.get("min") is not None and value < float(r["min"]):
        raise _Refused(N_("The number must be at least %(n)s."), n=r["min"])
    if r.get("max") is not None and value > float(r["max"]):
        raise _Refused(N_("The number must be at most %(n)s."), n=r["max"])
    return int(value) if value.is_integer() else value


def shown(field: FormField, value: Any, locale: str) -> str:
    """An answer as people read it: the bot's summary, the panel's columns and page, the XLSX, the
    application's page. The one place a stored value becomes text; it never shows a Python repr."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    t = Translator(locale)
    if field.kind in (FieldKind.CHOICE, FieldKind.MULTICHOICE):
        return ", ".join(option_labels(field, value, locale)) or "—"
    if field.kind == FieldKind.CONSENT:
        return t(N_("yes")) if value else t(N_("no"))
    if field.kind == FieldKind.DATE and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    if field.kind == FieldKind.FILE:
        count = len(value) if isinstance(value, list) else value
        return t(N_("files: %(n)s"), n=plain(count))
    return plain(value) or "—"
