"""Russian street addresses as people type them → the normalised keys buildings are stored under.

``street_key`` is the street's name folded (case, «ё», punctuation, spacing) with the street type
(«ул.», «пр-т», ...) dropped, wherever it stands: «ул. Ленина», «Ленина ул.» and «ЛЕНИНА» are all
``"ленина"``. ``house_key`` is canonical: ``"5"``, ``"5к1"``, ``"10а"``, ``"3/2"``, ``"1с2"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from services import textfold

Parity = Literal["odd", "even"]

# Canonical street type → every spelling people use (all folded, without the trailing dot).
STREET_TYPES: dict[str, tuple[str, ...]] = {
    "ул.": ("ул", "улица"),
    "пр-т": ("пр-т", "пр-кт", "пркт", "просп", "проспект", "пр"),
    "пер.": ("пер", "переулок"),
    "пл.": ("пл", "площадь"),
    "б-р": ("б-р", "бул", "бульв", "бульвар"),
    "ш.": ("ш", "шоссе"),
    "наб.": ("наб", "набережная"),
    "мкр.": ("мкр", "мкрн", "мкр-н", "мк-н", "микрорайон"),
    "проезд": ("проезд", "пр-д", "прд"),
    "туп.": ("туп", "тупик"),
    "аллея": ("ал", "аллея"),
}
_TYPE_OF: dict[str, str] = {alias: canon for canon, aliases in STREET_TYPES.items() for alias in aliases}
_GENERIC_TYPES = {"ул", "улица"}

# Leading comma-separated parts that are not the street: postcode, region, district, settlement.
_PLACE_WORDS = {
    "г", "город", "пгт", "пос", "поселок", "п", "с", "село", "дер", "деревня", "ст-ца", "станица",
    "обл", "область", "край", "р-н", "район", "респ", "республика", "ао", "россия", "рф",
}  # fmt: skip

_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-", "№": " "})
_PUNCT = re.compile(r"[.,;:!?\"'«»“”„()\[\]{}]+")
_SPACES = re.compile(r"\s+")
_ORDINAL = re.compile(r"^(\d+)-?(?:ый|ой|ий|й|ая|яя|я|ое|ее|е|го|ого|его)$")
# Latin letters that look like Cyrillic ones, as typed on the wrong keyboard layout: «10A» → «10а».
_LATIN_LOOKALIKES = str.maketrans("aceopxykmhtb", "асеорхукмнтв")
_CYRILLIC = re.compile(r"[а-я]")

_LETTER_END = r"(?=\s|$|/|(?:к|корп|корпус|кор|с|стр|строение)\s*\d)"
# One house: number, fraction, letter, block («корпус»), structure («строение»); an apartment is ignored.
_HOUSE = (
    r"(?:(?:д|дом)\s*)?"
    r"(?P<number>\d{1,5})"
    r"(?:\s*/\s*(?P<fraction>\d{1,4}))?"
    r"(?:\s*-?\s*(?:лит(?:ера?)?\s*)?(?P<letter>[а-яa-z])" + _LETTER_END + r")?"
    r"(?:\s*(?:к|корп|корпус|кор)\s*(?P<block>\d{1,3}))?"
    r"(?:\s*(?:с|стр|строен|строение)\s*(?P<structure>\d{1,3}))?"
    r"(?:\s+(?:кв|квартира|оф|офис|пом|помещение)\s*\d{1,5}[а-я]?)?"
)
_HOUSE_TAIL = re.compile(r"(?:^|\s)" + _HOUSE + r"\s*$")
_HOUSE_FULL = re.compile(r"^\s*" + _HOUSE + r"\s*$")
_RANGE_TAIL = re.compile(
    r"(?:^|\s)(?:(?:д|дом|дома|домов)\s*)?(?:с\s*)?(?P<first>\d{1,5})\s*(?:-|по|до)\s*(?P<last>\d{1,5})\s*$"
)
# Not «чет\w*»: that would eat «Четвертая».
_ODD = re.compile(r"^(?:нечет|нечетн\w*|неч|odd)$")
_EVEN = re.compile(r"^(?:чет|четн\w*|even)$")


@dataclass(frozen=True, slots=True)
class HouseParts:
    number: int
    fraction: int | None = None
    letter: str | None = None
    block: int | None = None
    structure: int | None = None

    @property
    def key(self) -> str:
        return house_key(self.number, self.fraction, self.letter, self.block, self.structure)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    street_key: str
    street_type: str | None  # canonical: "ул.", "пр-т", ... or None when not given
    house_key: str
    house_number: int
    letter: str | None = None
    block: int | None = None
    structure: int | None = None
    fraction: int | None = None


@dataclass(frozen=True, slots=True)
class HouseRange:
    """«Ленина 1-15 нечётные»: house numbers ``first..last`` inclusive, optionally one side only."""

    street_key: str
    street_type: str | None
    first: int
    last: int
    parity: Parity | None = None


def fold(text: str) -> str:
    """Case, «ё», dashes and «№» folded; punctuation kept (callers decide what it separates)."""
    return textfold.fold(text).translate(_DASHES)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub(" ", fold(text))).strip()


def house_key(
    number: int,
    fraction: int | None = None,
    letter: str | None = None,
    block: int | None = None,
    structure: int | None = None,
) -> str:
    """Canonical house key: ``5``, ``3/2``, ``10а``, ``5к1``, ``1с2`` (in that order of parts)."""
    key = str(number)
    if fraction is not None:
        key += f"/{fraction}"
    if letter:
        key += fold(letter).translate(_LATIN_LOOKALIKES)
    if block is not None:
        key += f"к{block}"
    if structure is not None:
        key += f"с{structure}"
    return key


def _house_from(match: re.Match[str]) -> HouseParts:
    def num(name: str) -> int | None:
        value = match.group(name)
        return int(value) if value else None

    letter = match.group("letter")
    return HouseParts(
        number=int(match.group("number")),
        fraction=num("fraction"),
        letter=letter.translate(_LATIN_LOOKALIKES) if letter else None,
        block=num("block"),
        structure=num("structure"),
    )


def parse_house(text: str) -> HouseParts | None:
    """A house on its own, as in a spreadsheet's «дом» column: «5», «д. 5 корп. 1», «10 А», «3/2»."""
    match = _HOUSE_FULL.match(_clean(text))
    return _house_from(match) if match else None


def _unmix(token: str) -> str:
    """«Лeнина» with a Latin «e» (pasted from somewhere) is «ленина»; all-Latin words stay as they are."""
    return token.translate(_LATIN_LOOKALIKES) if _CYRILLIC.search(token) else token


def split_street(text: str) -> tuple[str, str | None]:
    """``(street_key, street_type)``: «Советская ул.» → ``("советская", "ул.")``."""
    tokens = [_ORDINAL.sub(r"\1", _unmix(t)) for t in _clean(text).replace("/", " ").split()]
    types = [t for t in tokens if t in _TYPE_OF]
    name = [t for t in tokens if t not in _TYPE_OF]
    if not name and types:
        # «ул. Набережная», «Набережная»: a type word is the name itself; the generic one is the type.
        generic = next((t for t in types if t in _GENERIC_TYPES), None)
        kept = list(types)
        if generic is not None:
            kept.remove(generic)
        elif len(types) > 1:
            kept = types[1:]
        name, types = kept, [t for t in types if t not in kept] or types[:0]
        if not name:  # only «улица»
            return "", None
    street_type = _TYPE_OF[types[0]] if types else None
    if name and all(t.isdigit() for t in name) and street_type:
        # «мкр. 5» and «5-й мкр.»: the type is what tells the street apart from a bare number.
        name.append(street_type.rstrip("."))
    return " ".join(name), street_type


def normalize_street(text: str) -> str:
    """The street key: «ул. Ленина» → ``"ленина"``; «1-я Советская ул.» → ``"1 советская"``."""
    return split_street(text)[0]


def _strip_place(text: str) -> str:
    """Drop leading «г. Энск, Энский р-н, 123456, » parts; the street and house follow them."""
    parts = [p for p in fold(text).split(",") if p.strip()]
    while len(parts) > 1:
        first = _clean(parts[0]).split()
        if (
            not first
            or first[0] in _PLACE_WORDS
            or first[-1] in _PLACE_WORDS
            or re.fullmatch(r"\d{6}", first[0])
        ):
            parts.pop(0)
        else:
            break
    return " ".join(parts)


def parse_address(text: str) -> ParsedAddress | None:
    """«ул. Ленина 5», «Ленина, д.5к1», «Советская ул., д. 1, стр. 2» → keys; None without a house."""
    cleaned = _clean(_strip_place(text))
    match = _HOUSE_TAIL.search(cleaned)
    if match is None or _RANGE_TAIL.search(cleaned):  # «Ленина 1 - 15» is a range, not house 15
        return None
    street_key, street_type = split_street(cleaned[: match.start()])
    if not street_key:
        return None
    house = _house_from(match)
    return ParsedAddress(
        street_key=street_key,
        street_type=street_type,
        house_key=house.key,
        house_number=house.number,
        letter=house.letter,
        block=house.block,
        structure=house.structure,
        fraction=house.fraction,
    )


def parse_range(text: str) -> HouseRange | None:
    """«Ленина 1-15 нечётные», «ул. Ленина, дома с 2 по 20 (чёт.)» → a range; None otherwise."""
    tokens = _clean(_strip_place(text)).split()
    parity: Parity | None = None
    kept: list[str] = []
    for token in tokens:
        if _ODD.match(token):
            parity = "odd"
        elif _EVEN.match(token):
            parity = "even"
        elif token not in ("сторона", "сторону", "side", "houses", "номера"):
            kept.append(token)
    cleaned = " ".join(kept)
    match = _RANGE_TAIL.search(cleaned)
    if match is None:
        return None
    street_key, street_type = split_street(cleaned[: match.start()])
    if not street_key:
        return None
    first, last = sorted((int(match.group("first")), int(match.group("last"))))
    return HouseRange(street_key, street_type, first, last, parity)
