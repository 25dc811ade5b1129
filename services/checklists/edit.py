"""Changing checklists: write, add, edit, remove, move and tick items, the «all ticked» rule.

Every function reloads the owner (and the item), re-checks the user's rights on it
(:mod:`.owners`) and writes an audit event on the owner; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import ChecklistItem, User, utcnow
from services.audit import Actor, record
from services.checklists import ASSIGNMENT, REQUEST, Summary, items_of
from services.checklists.owners import Owner, Rights, checked, kind_of, rights
from services.errors import InvalidInput, NotFound

ITEM_LIMIT = 500
MAX_ITEMS = 50


@dataclass(frozen=True, slots=True)
class Checklist:
    """A checklist as one user sees it."""

    kind: str
    owner: Owner
    items: Sequence[ChecklistItem]
    rights: Rights

    @property
    def required(self) -> bool:
        return self.owner.checklist_required

    @property
    def summary(self) -> Summary:
        return Summary(done=sum(1 for i in self.items if i.done_at is not None), total=len(self.items))


def _entity(kind: str) -> str:
    return "assignment" if kind == ASSIGNMENT else "service_request"


def _audit(session: AsyncSession, user: User, owner: Owner, action: str, **data: object) -> None:
    record(
        session,
        Actor(user_id=user.id, telegram_id=user.telegram_id),
        _entity(kind_of(owner)),
        owner.id,
        action,
        data=dict(data),
    )


def clean_texts(texts: Iterable[str]) -> list[str]:
    """One item per non-empty line, list markers («-», «•», «1.») dropped."""
    cleaned = []
    for raw in texts:
        for line in raw.splitlines():
            text = line.strip().lstrip("-•*☐☑ ").strip()
            head, dot, rest = text.partition(". ")
            if dot and head.isdigit():
                text = rest.strip()
            if text:
                if len(text) > ITEM_LIMIT:
                    raise InvalidInput("The text is too long: at most %(n)d characters.", n=ITEM_LIMIT)
                cleaned.append(text)
    return cleaned


async def view(session: AsyncSession, user: User, kind: str, owner_id: int) -> Checklist:
    owner = await checked(session, user, kind, owner_id, "view")
    return Checklist(kind, owner, await items_of(session, kind, owner_id), await rights(session, user, owner))


async def _item(session: AsyncSession, user: User, item_id: int, need: str) -> tuple[ChecklistItem, Owner]:
    item = await session.get(ChecklistItem, item_id, populate_existing=True)
    if item is None:
        raise NotFound("Checklist item not found.")
    if item.assignment_id is not None:
        owner = await checked(session, user, ASSIGNMENT, item.assignment_id, need)
    else:
        assert item.service_request_id is not None
        owner = await checked(session, user, REQUEST, item.service_request_id, need)
    return item, owner


def _new_item(owner: Owner, position: int, text: str) -> ChecklistItem:
    if kind_of(owner) == ASSIGNMENT:
        return ChecklistItem(assignment_id=owner.id, position=position, text=text)
    return ChecklistItem(service_request_id=owner.id, position=position, text=text)


async def add_items(
    session: AsyncSession, user: User, kind: str, owner_id: int, texts: Iterable[str]
) -> list[ChecklistItem]:
    """Append items (one per line of each text) at the end of the list."""
    owner = await checked(session, user, kind, owner_id, "edit")
    cleaned = clean_texts(texts)
    if not cleaned:
        raise InvalidInput("Write the checklist items, one per line.")
    existing = await items_of(session, kind, owner_id)
    if len(existing) + len(cleaned) > MAX_ITEMS:
        raise InvalidInput("A checklist can have at most %(n)d items.", n=MAX_ITEMS)
    start = max((i.position for i in existing), default=-1) + 1
    added = [_new_item(owner, start + n, text) for n, text in enumerate(cleaned)]
    session.add_all(added)
    await session.flush()
    _audit(session, user, owner, "checklist_added", items=[i.id for i in added], texts=cleaned)
    return added


async def set_items(
    session: AsyncSession, user: User, kind: str, owner_id: int, texts: Iterable[str]
) -> list[ChecklistItem]:
    """Replace the whole list. An item whose text stays keeps its tick."""
    owner = await checked(session, user, kind, owner_id, "edit")
    cleaned = clean_texts(texts)
    if len(cleaned) > MAX_ITEMS:
        raise InvalidInput("A checklist can have at most %(n)d items.", n=MAX_ITEMS)
    old = {i.text: i for i in await items_of(session, kind, owner_id)}
    kept: list[ChecklistItem] = []
    for position, text in enumerate(cleaned):
        item = old.pop(text, None) or _new_item(owner, position, text)
        item.position = position
        kept.append(item)
        session.add(item)
    for gone in old.values():
        await session.delete(gone)
    await session.flush()
    _audit(session, user, owner, "checklist_set", texts=cleaned)
    return kept


async def edit_item(session: AsyncSession, user: User, item_id: int, text: str) -> ChecklistItem:
    item, owner = await _item(session, user, item_id, "edit")
    cleaned = clean_texts([text])
    if len(cleaned) != 1:
        raise InvalidInput("Write the item as one line.")
    old, item.text = item.text, cleaned[0]
    _audit(session, user, owner, "checklist_edited", item=item.id, old=old, new=item.text)
    return item


async def remove_item(session: AsyncSession, user: User, item_id: int) -> None:
    item, owner = await _item(session, user, item_id, "edit")
    _audit(session, user, owner, "checklist_removed", item=item.id, text=item.text)
    await session.delete(item)
    await session.flush()


async def move_item(session: AsyncSession, user: User, item_id: int, delta: int) -> None:
    """Move an item up (-1) or down (+1); positions are renumbered from 0."""
    item, owner = await _item(session, user, item_id, "edit")
    ordered = list(await items_of(session, kind_of(owner), owner.id))
    at = ordered.index(item)
    to = min(max(at + delta, 0), len(ordered) - 1)
    ordered.insert(to, ordered.pop(at))
    for position, each in enumerate(ordered):
        each.position = position
    _audit(session, user, owner, "checklist_moved", item=item.id, position=to)
    await session.flush()


async def tick(session: AsyncSession, user: User, item_id: int, done: bool | None = None) -> ChecklistItem:
    """Tick or untick (``done``; None toggles). Ticking a ticked item changes nothing."""
    item, owner = await _item(session, user, item_id, "tick")
    want = item.done_at is None if done is None else done
    if want == (item.done_at is not None):
        return item
    item.done_at = utcnow() if want else None
    item.done_by_id = user.id if want else None
    _audit(session, user, owner, "checklist_ticked" if want else "checklist_unticked", item=item.id)
    await session.flush()
    return item


async def set_required(session: AsyncSession, user: User, kind: str, owner_id: int, required: bool) -> Owner:
    """«The report (resolution) only after every item is ticked»."""
    owner = await checked(session, user, kind, owner_id, "edit")
    if owner.checklist_required != required:
        owner.checklist_required = required
        _audit(session, user, owner, "checklist_required", required=required)
        await session.flush()
    return owner
