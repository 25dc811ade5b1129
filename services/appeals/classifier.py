"""The standard thematic classifier of appeals (Типовой общероссийский тематический классификатор
обращений), loaded from a file and searched when a clerk codes a question.

The classifier has four levels — раздел, тематика, тема, вопрос — with codes of four-digit parts
(``0005.0005.0056.1154``); an entry's parent is its code without the last part. A question of an
appeal is coded at the last level.

A file is CSV (``;``, tab or ``,``; UTF-8 or Windows-1251, detected) or XLSX, with columns ``code``
and ``name`` (Russian headers too) and an optional ``parent``; a file without a header is read as
code, name, parent. Loading is all or nothing: every line is checked first (the shape of the code,
its parent in the same file, no repeats) and a single bad line leaves the database as it was, with
each bad line reported by its number. A good file is upserted by code; entries the new file no
longer lists become inactive (never deleted: old questions keep their codes and names).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ClassifierEntry, User
from services.addresses.tables import CellValue, Table, is_blank, read_table
from services.admin_rights import require_admin
from services.audit import Actor, record
from services.notify import N_
from services.textfold import fold

LEVELS = 4
QUESTION_LEVEL = 4
NAME_LIMIT = 1000
MAX_ERRORS_SHOWN = 100  # a wholly wrong file would otherwise list every line
_PART = re.compile(r"^\d{4}$")
_PADDING = "0000"

_CODE_HEADERS = ("code", "код", "код вопроса", "шифр", "код классификатора")
_NAME_HEADERS = ("name", "наименование", "название", "вопрос", "тема")
_PARENT_HEADERS = ("parent", "parent_code", "родитель", "код родителя", "вышестоящий код")


@dataclass(frozen=True, slots=True)
class LineError:
    line: int  # as numbered in the file (the header is line 1)
    message: str  # msgid
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class LoadReport:
    format: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0  # all of them; ``errors`` keeps the first MAX_ERRORS_SHOWN

    @property
    def loaded(self) -> bool:
        return self.error_count == 0

    def fail(self, line: int, message: str, **params: Any) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(LineError(line, message, params))


@dataclass(frozen=True, slots=True)
class _Line:
    line: int
    code: str
    name: str
    parent: str | None


def normalize_code(raw: object) -> str | None:
    """The code in its canonical form, or None when it is not a classifier code. Trailing ``0000``
    parts are padding some files use for the upper levels (``0005.0000.0000.0000`` is the section
    ``0005``)."""
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str):
        return None
    parts = raw.strip().split(".")
    if not 1 <= len(parts) <= LEVELS or not all(_PART.match(p) for p in parts):
        return None
    while len(parts) > 1 and parts[-1] == _PADDING:
        parts.pop()
    if parts[0] == _PADDING:
        return None
    return ".".join(parts)


def parent_of(code: str) -> str | None:
    parts = code.split(".")
    return ".".join(parts[:-1]) if len(parts) > 1 else None


def level_of(code: str) -> int:
    return code.count(".") + 1


def _cell(cells: list[CellValue], index: int | None) -> str:
    if index is None or index >= len(cells) or is_blank(cells[index]):
        return ""
    return str(cells[index]).strip()


def _columns(header: list[str]) -> dict[str, int] | None:
    keys = [h.strip().lower().replace("ё", "е") for h in header]

    def find(names: tuple[str, ...]) -> int | None:
        return next((i for i, k in enumerate(keys) if k in names), None)

    code, name, parent = find(_CODE_HEADERS), find(_NAME_HEADERS), find(_PARENT_HEADERS)
    if code is None or name is None:
        return None
    found = {"code": code, "name": name}
    if parent is not None:
        found["parent"] = parent
    return found


def _read_lines(table: Table, report: LoadReport) -> list[_Line]:
    """Every line of the file checked on its own (code shape, name, parent column)."""
    rows = table.rows
    columns = _columns(table.header)
    if columns is None:
        if normalize_code(table.header[0] if table.header else None) is None:
            report.fail(1, N_("The file needs the columns “code” and “name” (and optionally “parent”)."))
            return []
        # No header: the first line is an entry already.
        first = rows[0][0] - 1 if rows else 1
        rows = [(max(first, 1), list(table.header)), *rows]
        columns = {"code": 0, "name": 1, "parent": 2}
    lines: list[_Line] = []
    for number, cells in rows:
        raw_code = _cell(cells, columns["code"])
        code = normalize_code(raw_code)
        if code is None:
            report.fail(
                number,
                N_(
                    "The code “%(code)s” is not a classifier code "
                    "(up to four parts of four digits: 0001.0002.0003.0004)."
                ),
                code=raw_code,
            )
            continue
        name = _cell(cells, columns["name"])
        if not name:
            report.fail(number, N_("The entry %(code)s has no name."), code=code)
            continue
        if len(name) > NAME_LIMIT:
            report.fail(
                number, N_("The name of %(code)s is longer than %(n)d characters."), code=code, n=NAME_LIMIT
            )
            continue
        raw_parent = _cell(cells, columns.get("parent"))
        parent = normalize_code(raw_parent) if raw_parent else None
        if raw_parent and parent != parent_of(code):
            report.fail(
                number,
                N_("The parent “%(parent)s” of %(code)s does not match its code (expected %(expected)s)."),
                parent=raw_parent,
                code=code,
                expected=parent_of(code) or "—",
            )
            continue
        lines.append(_Line(number, code, name, parent_of(code)))
    return lines


def _check_tree(lines: list[_Line], report: LoadReport) -> None:
    """No code twice; every entry's parent is in the same file (the file is the whole classifier)."""
    first_seen: dict[str, int] = {}
    for item in lines:
        if item.code in first_seen:
            report.fail(
                item.line,
                N_("The code %(code)s is repeated (first on line %(first)d)."),
                code=item.code,
                first=first_seen[item.code],
            )
        else:
            first_seen[item.code] = item.line
    for item in lines:
        if item.parent is not None and item.parent not in first_seen:
            report.fail(
                item.line,
                N_("The parent %(parent)s of %(code)s is not in the file."),
                parent=item.parent,
                code=item.code,
            )


def check_file(data: bytes, filename: str | None = None) -> tuple[LoadReport, list[_Line]]:
    """Read and check a classifier file (blocking: run it in a thread). ``InvalidInput`` when the
    file is not a table at all; otherwise the report lists every bad line."""
    table = read_table(data, filename=filename)
    report = LoadReport(format=table.format)
    lines = _read_lines(table, report)
    report.rows = report.error_count + len(lines)
    _check_tree(lines, report)
    report.errors.sort(key=lambda e: e.line)
    return report, lines


def _as_actor(actor: Actor | User) -> Actor:
    return Actor(user_id=actor.id, telegram_id=actor.telegram_id) if isinstance(actor, User) else actor


async def load_file(
    session: AsyncSession, data: bytes, *, filename: str | None, actor: Actor | User
) -> LoadReport:
    """Load a classifier file (administrators only). Nothing is written unless every line is
    good; the caller commits. Raises ``InvalidInput`` for a file that is not a table."""
    who = _as_actor(actor)
    await require_admin(session, who, N_("Only an administrator may load the classifier."))
    return await load_trusted(session, data, filename=filename, actor=who)


async def load_trusted(
    session: AsyncSession, data: bytes, *, filename: str | None, actor: Actor
) -> LoadReport:
    """``load_file`` without the role check: for the demo seed and the server's command line,
    whose operator already holds the machine."""
    report, lines = await asyncio.to_thread(check_file, data, filename)
    if not report.loaded:
        return report
    await _upsert(session, lines, report)
    record(
        session,
        actor,
        "classifier",
        None,
        "classifier_loaded",
        data={
            "file": (filename or "")[:200],
            "format": report.format,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "deactivated": report.deactivated,
        },
    )
    await session.flush()
    return report


async def _upsert(session: AsyncSession, lines: list[_Line], report: LoadReport) -> None:
    existing = {e.code: e for e in (await session.scalars(select(ClassifierEntry))).all()}
    listed: set[str] = set()
    for item in lines:
        listed.add(item.code)
        values = {
            "name": item.name,
            "parent_code": item.parent,
            "level": level_of(item.code),
            "is_active": True,
        }
        entry = existing.get(item.code)
        if entry is None:
            session.add(ClassifierEntry(code=item.code, **values))
            report.created += 1
            continue
        changed = False
        for attr, value in values.items():
            if getattr(entry, attr) != value:
                setattr(entry, attr, value)
                changed = True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    for code, entry in existing.items():
        if code not in listed and entry.is_active:
            # Kept, not deleted: questions coded earlier still show their code's name.
            entry.is_active = False
            report.deactivated += 1


# --- Reading it back ---


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    active: int
    questions: int  # active entries of the last level: what a question can be coded with


async def counts(session: AsyncSession) -> Counts:
    total = await session.scalar(select(func.count()).select_from(ClassifierEntry)) or 0
    active = await session.scalar(select(func.count()).where(ClassifierEntry.is_active)) or 0
    questions = (
        await session.scalar(
            select(func.count()).where(ClassifierEntry.is_active, ClassifierEntry.level == QUESTION_LEVEL)
        )
        or 0
    )
    return Counts(total, active, questions)


async def get(session: AsyncSession, code: str | None) -> ClassifierEntry | None:
    if not code:
        return None
    return await session.scalar(select(ClassifierEntry).where(ClassifierEntry.code == code))


async def names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    """Code → name for the given codes (inactive entries too: old questions keep their names)."""
    codes = {c for c in codes if c}
    if not codes:
        return {}
    rows = await session.execute(
        select(ClassifierEntry.code, ClassifierEntry.name).where(ClassifierEntry.code.in_(codes))
    )
    return {code: name for code, name in rows}


async def question_code(session: AsyncSession, code: str | None) -> ClassifierEntry | None:
    """The active last-level entry of ``code`` (what a question may be coded with), else None."""
    entry = await get(session, normalize_code(code) if code else None)
    if entry is None or not entry.is_active or entry.level != QUESTION_LEVEL:
        return None
    return entry


async def search(
    session: AsyncSession,
    query: str,
    *,
    questions_only: bool = False,
    include_inactive: bool = False,
    limit: int = 50,
) -> list[ClassifierEntry]:
    """Entries whose code starts with ``query`` or whose name holds every word of it (any case,
    «ё» as «е»), by code. Matched here rather than in SQL: SQLite's ``lower`` knows no Cyrillic,
    and the whole classifier is a few thousand short lines."""
    stmt = select(ClassifierEntry)
    if questions_only:
        stmt = stmt.where(ClassifierEntry.level == QUESTION_LEVEL)
    if not include_inactive:
        stmt = stmt.where(ClassifierEntry.is_active)
    stmt = stmt.order_by(ClassifierEntry.code)
    text = (query or "").strip()[:200]
    if not text:
        return list((await session.scalars(stmt.limit(limit))).all())
    words = fold(text).split()
    found: list[ClassifierEntry] = []
    for entry in (await session.scalars(stmt)).all():
        name = fold(entry.name)
        if entry.code.startswith(text) or all(w in name for w in words):
            found.append(entry)
            if len(found) >= limit:
                break
    return found


async def all_questions(session: AsyncSession, *, at_most: int) -> list[ClassifierEntry]:
    """Every active question of the classifier for a page's picker, or [] when there are more than
    ``at_most`` (the picker then searches as one types)."""
    if (await counts(session)).questions > at_most:
        return []
    return await search(session, "", questions_only=True, limit=at_most)


async def tree(session: AsyncSession, under: str | None = None) -> list[ClassifierEntry]:
    """The entries below ``under`` (its children), or the sections; inactive ones included, last."""
    stmt = select(ClassifierEntry)
    stmt = stmt.where(
        ClassifierEntry.parent_code == under if under else ClassifierEntry.parent_code.is_(None)
    )
    stmt = stmt.order_by(ClassifierEntry.is_active.desc(), ClassifierEntry.code)
    return list((await session.scalars(stmt)).all())


async def path_to(session: AsyncSession, code: str) -> list[ClassifierEntry]:
    """``code`` and its ancestors, from the section down (for breadcrumbs)."""
    chain: list[str] = []
    current: str | None = code
    while current:
        chain.append(current)
        current = parent_of(current)
    found = {
        e.code: e
        for e in (await session.scalars(select(ClassifierEntry).where(ClassifierEntry.code.in_(chain)))).all()
    }
    return [found[c] for c in reversed(chain) if c in found]
