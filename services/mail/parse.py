"""One raw letter (RFC 5322 bytes) to what an appeal needs: sender, subject, readable text, files.

Parsing never raises on bad input: a part with a broken MIME structure, damaged base64 or an
unknown charset is decoded best-effort (replacement characters) and also kept byte-for-byte as a
raw file, so a clerk can still open the original.

Everything read from the letter is cleaned by ``services.text_input`` (no NUL or other control
characters: PostgreSQL refuses NUL, and one such subject used to stop the mailbox). Every part has
a size cap and all parts together another; a part over them is dropped and named in ``dropped``,
so the appeal carries a note instead of the intake failing or filling the disk.
"""

from __future__ import annotations

import codecs
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from services.files import MAX_FILE_BYTES
from services.mail.html_text import html_to_text
from services.text_input import clean_line, clean_text

SUBJECT_LIMIT = 500
EXTERNAL_ID_LIMIT = 500
_AUTO_SENDERS = ("mailer-daemon", "postmaster")
_AUTO_PRECEDENCE = ("auto_reply", "junk")
MAX_PART_BYTES = MAX_FILE_BYTES  # one body or attachment, decoded (or raw, when kept as it came)
MAX_PARTS_BYTES = 50 * 1024 * 1024  # all parts of one letter together


@dataclass
class LetterFile:
    data: bytes
    filename: str | None
    declared_mime: str | None = None
    raw: bool = False  # an undecodable part kept as it came


@dataclass
class ParsedLetter:
    external_id: str
    message_id: str | None
    from_name: str | None
    from_address: str | None
    reply_to: str | None
    subject: str | None
    text: str
    files: list[LetterFile] = field(default_factory=list)
    auto_reason: str | None = None  # why this is an auto-reply or bounce (not an appeal)
    damaged: bool = False
    dropped: list[str] = field(default_factory=list)  # parts over a size cap: "name (size)"


def parse_letter(raw: bytes) -> ParsedLetter:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    message_id = clean_line(_header(msg, "Message-ID")).strip() or None
    if message_id and len(message_id) > EXTERNAL_ID_LIMIT:
        message_id = None
    from_name, from_address = _first_address(msg, "From")
    _, reply_address = _first_address(msg, "Reply-To")
    walker = _Walker()
    walker.walk(msg)
    text = "\n\n".join(t.strip() for t in walker.plain if t.strip()) or "\n\n".join(
        t for t in (html_to_text(h) for h in walker.html) if t
    )
    subject = re.sub(r"\s+", " ", clean_line(_header(msg, "Subject"))).strip()[:SUBJECT_LIMIT] or None
    return ParsedLetter(
        external_id=message_id or raw_letter_id(raw),
        message_id=message_id,
        from_name=from_name,
        from_address=from_address,
        reply_to=reply_address or from_address,
        subject=subject,
        text=clean_text(text).strip(),  # HTML entities may spell control characters too
        files=walker.files,
        auto_reason=auto_reply_reason(msg, from_address),
        damaged=walker.damaged or bool(msg.defects),
        dropped=walker.dropped,
    )


def raw_letter_id(raw: bytes) -> str:
    """A stable identity for a letter without a Message-ID: the same bytes give the same id."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def auto_reply_reason(msg: Message, from_address: str | None) -> str | None:
    auto = _header(msg, "Auto-Submitted").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    if from_address and from_address.split("@", 1)[0].lower() in _AUTO_SENDERS:
        return f"sender {from_address}"
    if msg.get_content_type() == "multipart/report":
        return "delivery report"
    for name in ("X-Autoreply", "X-Autorespond"):
        if _header(msg, name):
            return name
    if _header(msg, "Precedence").strip().lower() in _AUTO_PRECEDENCE:
        return "Precedence: " + _header(msg, "Precedence").strip().lower()
    return None


def _header(msg: Message, name: str) -> str:
    """A header decoded (RFC 2047), best-effort: unknown charsets become replacement characters."""
    try:
        value = msg.get(name)
        return "" if value is None else str(value)
    except Exception:
        pass
    raw = msg.get_all(name, failobj=[]) if hasattr(msg, "get_all") else []
    if not raw:
        return ""
    try:
        return str(make_header(decode_header(str(raw[0]))))
    except Exception:
        return str(raw[0]).encode("utf-8", "replace").decode("utf-8", "replace")


def _first_address(msg: Message, name: str) -> tuple[str | None, str | None]:
    value = _header(msg, name)
    if not value:
        return None, None
    try:
        pairs = getaddresses([value])
    except Exception:
        pairs = [parseaddr(value)]
    for display, address in pairs:
        address = clean_line(address).strip()
        if address and "@" in address:
            return (clean_line(display).strip() or None), address
    return None, None


def _decode_bytes(payload: bytes, charset: str | None) -> tuple[str, bool]:
    """Text and whether decoding was lossy (unknown charset or bytes invalid in it)."""
    name = (charset or "us-ascii").strip().strip('"').lower()
    try:
        codecs.lookup(name)
    except LookupError:
        return payload.decode("utf-8", errors="replace"), True
    try:
        return payload.decode(name), False
    except UnicodeDecodeError:
        pass
    if name in ("us-ascii", "ascii"):  # undeclared 8-bit text: most often UTF-8
        try:
            return payload.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return payload.decode(name, errors="replace"), True


def _part_bytes(part: Message) -> bytes:
    try:
        return part.as_bytes(policy=policy.default.clone(linesep="\r\n"))
    except Exception:
        return str(part.get_payload()).encode("utf-8", "surrogateescape")


def _inner_bytes(part: Message) -> bytes:
    inner = part.get_payload()
    return _part_bytes(inner[0]) if isinstance(inner, list) and inner else _part_bytes(part)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return None
    if "=?" in name:  # RFC 2047 inside a parameter: not standard, but common
        try:
            name = str(make_header(decode_header(name)))
        except Exception:
            pass
    name = re.sub(r"[/\\]", "_", clean_line(name)).strip()
    return name[:255] or None


class _Walker:
    """Collects text bodies (plain preferred over HTML) and files from a MIME tree."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.files: list[LetterFile] = []
        self.damaged = False
        self.dropped: list[str] = []
        self._count = 0
        self._total = 0

    def _fits(self, size: int, name: str) -> bool:
        """Count a part against the caps; one over them is named in ``dropped`` and not kept."""
        if size > MAX_PART_BYTES or self._total + size > MAX_PARTS_BYTES:
            self.dropped.append(f"{name} ({size // 1024} KB)")
            return False
        self._total += size
        return True

    def _add_file(self, letter_file: LetterFile) -> None:
        if self._fits(len(letter_file.data), letter_file.filename or f"part-{self._count}"):
            self.files.append(letter_file)

    def walk(self, part: Message) -> None:
        if part.get_content_type() == "message/rfc822" and part.is_multipart():
            # A forwarded letter: read like the rest, and also kept whole as it came (its sender
            # and date matter), stored as-is since .eml is no accepted document type.
            self._count += 1
            name = _filename(part) or f"forwarded-{self._count}.eml"
            self._add_file(LetterFile(_inner_bytes(part), name, "message/rfc822", raw=True))
        if part.is_multipart():
            children = part.get_payload()
            if part.get_content_subtype() == "alternative":
                chosen = self._alternative(children)
                children = [chosen] if chosen is not None else children
            for child in children:
                self.walk(child)
            return
        self._leaf(part)

    @staticmethod
    def _alternative(children: list[Message]) -> Message | None:
        for wanted in ("text/plain", "text/html"):
            for child in children:
                if child.get_content_type() == wanted and not child.is_multipart():
                    return child
        return children[-1] if children else None

    def _leaf(self, part: Message) -> None:
        self._count += 1
        ctype = part.get_content_type()
        name = _filename(part)
        disposition = part.get_content_disposition()
        if part.get_content_maintype() == "message":  # delivery status and the like: kept as they are
            self._add_file(LetterFile(_part_bytes(part), name or f"message-{self._count}.eml", ctype))
            return
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            payload = None
        broken = payload is None or bool(part.defects) or part.get_content_maintype() == "multipart"
        if payload is None:
            payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
        is_text = part.get_content_maintype() in ("text", "multipart")
        if is_text and disposition != "attachment" and not name:
            if not self._fits(len(payload), f"{ctype} part {self._count}"):
                return
            text, lossy = _decode_bytes(payload, part.get_content_charset())
            (self.html if ctype == "text/html" else self.plain).append(clean_text(text))
            broken = broken or lossy
        elif not broken:
            self._add_file(LetterFile(payload, name or self._generated_name(ctype), ctype))
        if broken:
            # Kept byte-for-byte (the whole MIME part, headers included) next to the best-effort text.
            self.damaged = True
            label = f"part-{self._count}" + (f"-{name}" if name else "")
            self._add_file(LetterFile(_part_bytes(part), f"{label}.eml", ctype, raw=True))

    def _generated_name(self, ctype: str) -> str:
        ext = mimetypes.guess_extension(ctype) or ".bin"
        return f"attachment-{self._count}{ext}"


def letter_as_file(raw: bytes) -> LetterFile:
    """The whole letter kept as an .eml file (empty or unparseable letters)."""
    return LetterFile(raw, "letter.eml", "message/rfc822", raw=True)
