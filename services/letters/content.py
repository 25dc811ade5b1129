"""What a letter says, independent of the file format it is rendered into."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.config.org_card import Letterhead


@dataclass(frozen=True, slots=True)
class LetterLabels:
    """The fixed words of a letter, already in the letter's language."""

    number: str  # "Исх. № %(number)s от %(date)s" rendered
    reply_to: str  # "На № %(number)s от %(date)s" rendered, or ""
    enclosures: str  # "Приложение:"
    inn: str = ""  # "ИНН %(inn)s" rendered, or ""
    ogrn: str = ""


@dataclass(frozen=True, slots=True)
class LetterContent:
    letterhead: Letterhead
    labels: LetterLabels
    recipient_lines: tuple[str, ...]
    title: str
    paragraphs: tuple[str, ...]
    signer_position: str = ""
    signer_name: str = ""
    enclosures: tuple[str, ...] = field(default_factory=tuple)


def paragraphs_of(text: str) -> tuple[str, ...]:
    """Blank lines separate paragraphs; single line breaks inside a paragraph are kept as spaces."""
    blocks = [
        " ".join(line.strip() for line in block.splitlines())
        for block in text.replace("\r", "").split("\n\n")
    ]
    return tuple(b for b in (block.strip() for block in blocks) if b)


def header_lines(head: Letterhead, labels: LetterLabels) -> list[str]:
    """The letterhead's lines under the organisation's name: address, contacts, registration codes."""
    lines = [head.address] if head.address else []
    contacts = " · ".join(x for x in (head.phone, head.email, head.website) if x)
    if contacts:
        lines.append(contacts)
    codes = " · ".join(x for x in (labels.inn, labels.ogrn) if x)
    if codes:
        lines.append(codes)
    return lines
