"""parse_mode handling: HTML / MarkdownV2 / Markdown → plain text + entities, and entities → safe HTML.

Offsets and lengths are UTF-16 code units, as in the Bot API. Error messages mimic Telegram's
"can't parse entities" family so that formatting bugs in the bot surface exactly as in production.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request
from .limits import utf16_len

Entity = dict[str, Any]

_HTML_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_HTML_OTHER_TAGS = {"a", "span", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _cant_parse(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


@dataclass
class _Builder:
    """Accumulates plain text while tracking the UTF-16 length for entity offsets."""

    parts: list[str] = field(default_factory=list)
    length16: int = 0
    entities: list[Entity] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length16 += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.length16 > start:
            self.entities.append({"type": kind, "offset": start, "length": self.length16 - start, **extra})

    def result(self) -> tuple[str, list[Entity]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def _html_entity_value(match: re.Match[str]) -> str | None:
    name = match.group(1)
    if name.startswith(("#x", "#X")):
        code = int(name[2:], 16)
    elif name.startswith("#"):
        code = int(name[1:])
    else:
        return _NAMED_ENTITIES.get(name)
    return chr(code) if 0 < code <= 0x10FFFF else None


def parse_html(src: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    # Open tags: (name, start offset16, extra entity fields or None for "no entity").
    stack: list[tuple[str, int, str | None, dict[str, Any]]] = []
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "&":
            match = _ENTITY_RE.match(src, i)
            value = _html_entity_value(match) if match else None
            if match and value is not None:
                out.add(value)
                i = match.end()
            else:
                out.add("&")  # Telegram tolerates a bare ampersand
                i += 1
            continue
        if ch != "<":
            j = i
            while j < len(src) and src[j] not in "<&":
                j += 1
            out.add(src[i:j])
            i = j
            continue
        end = src.find(">", i)
        if end == -1:
            raise _cant_parse(f"Unclosed start tag at byte offset {_byte_offset(src, i)}")
        raw = src[i + 1 : end]
        if raw.startswith("/"):
            name = raw[1:].strip().lower()
            if not stack:
                raise _cant_parse(f"Unexpected end tag at byte offset {_byte_offset(src, i)}")
            open_name, start, kind, extra = stack.pop()
            if open_name != name:
                raise _cant_parse(
                    f"Unmatched end tag at byte offset {_byte_offset(src, i)}, "
                    f'expected "</{open_name}>", found "</{name}>"'
                )
            if kind:
                if (
                    kind == "pre"
                    and out.entities
                    and out.entities[-1]["type"] == "code"
                    and "language" in extra
                ):
                    # <pre><code class="language-x"> collapses into one pre entity with a language.
                    last = out.entities[-1]
                    if last["offset"] == start and last["length"] == out.length16 - start:
                        out.entities.pop()
                out.entity(kind, start, **extra)
        else:
            name_match = re.match(r"[a-zA-Z][a-zA-Z0-9-]*", raw)
            name = name_match.group(0).lower() if name_match else ""
            if name not in _HTML_SIMPLE_TAGS and name not in _HTML_OTHER_TAGS:
                raise _cant_parse(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, i)}')
            attrs = {
                m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
                for m in _ATTR_RE.finditer(raw[len(name) :].rstrip("/"))
                if m.group(1)
            }
            kind, extra = _html_tag_entity(name, attrs, src, i, stack)
            stack.append((name, out.length16, kind, extra))
        i = end + 1
    if stack:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _html_tag_entity(
    name: str,
    attrs: dict[str, str],
    src: str,
    index: int,
    stack: list[tuple[str, int, str | None, dict[str, Any]]],
) -> tuple[str | None, dict[str, Any]]:
    if name in _HTML_SIMPLE_TAGS:
        kind = _HTML_SIMPLE_TAGS[name]
        cls = attrs.get("class", "")
        if kind == "code" and cls.startswith("language-") and stack and stack[-1][0] == "pre":
            stack[-1][3]["language"] = cls.removeprefix("language-")
        return kind, {}
    if name == "a":
        href = attrs.get("href", "")
        if not href:
            return None, {}
        if href.startswith("tg://user?id="):
            return "text_mention", {
                "user": {"id": int(href.split("=", 1)[1] or 0), "is_bot": False, "first_name": ""}
            }
        return "text_link", {"url": href}
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise _cant_parse(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, index)}'
            )
        return "spoiler", {}
    if name == "blockquote":
        return ("expandable_blockquote" if "expandable" in attrs else "blockquote"), {}
    return None, {}  # tg-emoji: shown as its fallback emoji


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


def parse_markdown_v2(src: str) -> tuple[str, list[Entity]]:
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # (entity type, start offset16, source index)
    i = 0
    at_line_start = True
    quote_start: int | None = None
    while i < len(src):
        ch = src[i]
        if at_line_start and quote_start is not None and ch != ">":
            out.entity("blockquote", quote_start)
            quote_start = None
        at_line_start = False
        if ch == "\\":
            if i + 1 >= len(src) or not 0 < ord(src[i + 1]) < 127:
                raise _cant_parse("Character '\\' is reserved and must be escaped with the preceding '\\'")
            out.add(src[i + 1])
            i += 2
            continue
        if ch == "`":
            i = _mdv2_code(src, i, out)
            continue
        if ch == ">" and (i == 0 or src[i - 1] == "\n"):
            if quote_start is None:
                quote_start = out.length16
            i += 1
            continue
        two = src[i : i + 2]
        kind = {"__": "underline", "||": "spoiler"}.get(two)
        step = 2 if kind else 1
        kind = kind or {"*": "bold", "_": "italic", "~": "strikethrough"}.get(ch)
        if kind:
            if any(k == kind for k, _, _ in stack):
                if stack[-1][0] != kind:
                    raise _cant_parse(
                        f"Can't find end of {_MDV2_NAMES[stack[-1][0]]} entity at byte offset "
                        f"{_byte_offset(src, stack[-1][2])}"
                    )
                _, start, _ = stack.pop()
                out.entity(kind, start)
            else:
                stack.append((kind, out.length16, i))
            i += step
            continue
        if ch == "[":
            stack.append(("text_link", out.length16, i))
            i += 1
            continue
        if ch == "]" and stack and stack[-1][0] == "text_link":
            _, start, _ = stack.pop()
            if not src.startswith("(", i + 1):
                raise _cant_parse("Character ']' is reserved and must be escaped with the preceding '\\'")
            close = src.find(")", i + 2)
            if close == -1:
                raise _cant_parse(f"Can't find end of a url at byte offset {_byte_offset(src, i + 1)}")
            out.entity("text_link", start, url=src[i + 2 : close].replace("\\)", ")"))
            i = close + 1
            continue
        if ch in _MDV2_RESERVED:
            raise _cant_parse(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
        out.add(ch)
        at_line_start = ch == "\n"
        i += 1
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    if stack:
        kind, _, index = stack[-1]
        raise _cant_parse(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {_byte_offset(src, index)}"
        )
    return out.result()


def _mdv2_code(src: str, i: int, out: _Builder) -> int:
    fence = "```" if src.startswith("```", i) else "`"
    body_start = i + len(fence)
    close = src.find(fence, body_start)
    if close == -1:
        kind = "Pre" if fence == "```" else "Code"
        raise _cant_parse(f"Can't find end of {kind} entity at byte offset {_byte_offset(src, i)}")
    body = src[body_start:close]
    extra: dict[str, Any] = {}
    if fence == "```":
        first, sep, rest = body.partition("\n")
        if sep and first and " " not in first:
            extra["language"], body = first, rest
    start = out.length16
    out.add(re.sub(r"\\(.)", r"\1", body))
    out.entity("pre" if fence == "```" else "code", start, **extra)
    return close + len(fence)


def parse_markdown(src: str) -> tuple[str, list[Entity]]:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _Builder()
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\" and i + 1 < len(src) and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
            continue
        if ch in "*_`[":
            fence = "```" if src.startswith("```", i) else ch
            closer = "]" if ch == "[" else fence
            close = src.find(closer, i + len(fence))
            if close == -1:
                raise _cant_parse(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            body = src[i + len(fence) : close]
            start = out.length16
            out.add(body)
            if ch == "[":
                if not src.startswith("(", close + 1) or src.find(")", close) == -1:
                    raise _cant_parse(
                        f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                    )
                url_end = src.find(")", close)
                out.entity("text_link", start, url=src[close + 2 : url_end])
                i = url_end + 1
                continue
            out.entity({"*": "bold", "_": "italic", "`": "code", "```": "pre"}[fence], start)
            i = close + len(fence)
            continue
        out.add(ch)
        i += 1
    return out.result()


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[Entity] | None
) -> tuple[str, list[Entity]]:
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    if mode:
        raise bad_request("unsupported parse_mode")
    return text, list(entities or [])


def command_entities(text: str) -> list[Entity]:
    """A user's ``/start payload`` carries a bot_command entity, as in real updates."""
    match = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}] if match else []


_SAFE_SCHEMES = ("http://", "https://", "tg://", "mailto:")
_HTML_FOR = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "expandable_blockquote": "blockquote",
    "spoiler": "tg-spoiler",
}


def entities_to_html(text: str, entities: list[Entity] | None) -> str:
    """Render text + entities as escaped HTML using only whitelisted tags (for transcripts/page)."""
    units = text.encode("utf-16-le")

    def chunk(start: int, end: int) -> str:
        return html.escape(units[start * 2 : end * 2].decode("utf-16-le", errors="replace"), quote=False)

    ents = sorted(
        (e for e in entities or [] if e.get("length", 0) > 0), key=lambda e: (e["offset"], -e["length"])
    )

    def render(start: int, end: int, items: list[Entity]) -> str:
        parts: list[str] = []
        pos, k = start, 0
        while k < len(items):
            ent = items[k]
            if ent["offset"] < pos:  # overlapping entity that doesn't nest: ignore it
                k += 1
                continue
            ent_end = min(ent["offset"] + ent["length"], end)
            inner, k = [], k + 1
            while k < len(items) and items[k]["offset"] < ent_end:
                if items[k]["offset"] + items[k]["length"] <= ent_end:
                    inner.append(items[k])
                k += 1
            parts.append(chunk(pos, ent["offset"]))
            parts.append(_wrap(ent, render(ent["offset"], ent_end, inner)))
            pos = ent_end
        parts.append(chunk(pos, end))
        return "".join(parts)

    return render(0, len(units) // 2, ents)


def _wrap(entity: Entity, inner: str) -> str:
    kind = entity["type"]
    if kind in ("text_link", "url"):
        url = entity.get("url") or html.unescape(inner)
        if url.startswith(_SAFE_SCHEMES):
            return f'<a href="{html.escape(url, quote=True)}">{inner}</a>'
        return inner
    tag = _HTML_FOR.get(kind)
    return f"<{tag}>{inner}</{tag}>" if tag else inner
