"""Who may see an appeal. Residents: the access code, given once at registration, opens the public
status page together with the registration number (numbers are sequential, so a number alone proves
nothing); only its SHA-256 is stored and the comparison takes the same time whatever the input.
Staff: the clerks' scope (below), one rule for lists, new-appeal alerts, reminders and digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Appeal, Category, User, UserRole
from models.enums import Role

# No 0/O, 1/I/L: the code is read from a screen or a letter and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12  # about 59 bits
GROUP = 4


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def _canonical(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(_canonical(code).encode()).hexdigest()


def matches(stored_hash: str | None, code: str) -> bool:
    """Whether ``code`` (typed with or without dashes, any case) is the appeal's access code."""
    # Compared even when nothing is stored, so a missing code costs the same time as a wrong one.
    return hmac.compare_digest(stored_hash or "", code_hash(code)) and bool(stored_hash)


# --- Scope: which clerks an appeal belongs to (one rule for visibility, alerts and reminders) ---
#
# An appeal points to a department: the one routing chose at registration (``Appeal.department_id``:
# topic, street, district), else its topic's default (``Category.department_id``). Its clerks are
# the clerks of that department plus the clerks without a department, who work for the whole
# organisation. If that leaves nobody (no department, or the department and the organisation have
# no clerks), every clerk is responsible, so no appeal is ever left without a reader.


@dataclass(frozen=True, slots=True)
class ClerkMap:
    """Active clerks by department (``None``: organisation-wide), loaded once per job or request."""

    by_department: dict[int | None, tuple[int, ...]]

    @property
    def everyone(self) -> tuple[int, ...]:
        return tuple(uid for ids in self.by_department.values() for uid in ids)

    def responsible(self, department_id: int | None) -> tuple[int, ...]:
        """The clerks whose scope covers an appeal of ``department_id``."""
        if department_id is not None:
            found = self.by_department.get(department_id, ()) + self.by_department.get(None, ())
            if found:
                return found
        return self.everyone

    def covers(self, clerk_department_id: int | None, appeal_department_id: int | None) -> bool:
        """Whether a clerk of ``clerk_department_id`` is responsible for an appeal of the other."""
        if clerk_department_id is None or appeal_department_id is None:
            return True
        if appeal_department_id == clerk_department_id:
            return True
        # The fallback: nobody else covers it (no clerk of that department, no organisation-wide one).
        return not self.by_department.get(appeal_department_id) and not self.by_department.get(None)


async def clerk_map(session: AsyncSession) -> ClerkMap:
    rows = await session.execute(
        select(User.id, User.department_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.CLERK, User.is_active)
        .order_by(User.id)
    )
    by_department: dict[int | None, tuple[int, ...]] = {}
    for uid, department_id in rows:
        by_department[department_id] = (*by_department.get(department_id, ()), uid)
    return ClerkMap(by_department)


def appeal_department():  # type: ignore[no-untyped-def]
    """SQL: the department an appeal belongs to (routed at registration, else its topic's), for
    filtering lists and figures."""
    topic = select(Category.department_id).where(Category.id == Appeal.category_id).scalar_subquery()
    return func.coalesce(Appeal.department_id, topic)


async def department_of(session: AsyncSession, appeal: Appeal) -> int | None:
    if appeal.department_id is not None:
        return appeal.department_id
    if appeal.category_id is None:
        return None
    return await session.scalar(select(Category.department_id).where(Category.id == appeal.category_id))


def sees_all(user: User) -> bool:
    """Managers, controllers and administrators oversee every appeal; clerks see their scope."""
    return user.has_role(Role.MANAGER, Role.CONTROLLER) or Role.CLERK not in user.roles


def scoped_department(user: User) -> int | None:
    """The department whose scope limits what ``user`` sees of appeals; None: no limit."""
    return None if sees_all(user) else user.department_id


async def may_see(session: AsyncSession, user: User, appeal: Appeal) -> bool:
    """Whether ``user`` may open ``appeal`` (the same scope as the lists)."""
    department = scoped_department(user)
    if department is None:
        return True
    return (await clerk_map(session)).covers(department, await department_of(session, appeal))


def visible_clause(user: User, clerks: ClerkMap):  # type: ignore[no-untyped-def]
    """SQL: the appeals in ``user``'s scope (``ClerkMap.covers`` as a WHERE clause); None: all."""
    return department_clause(scoped_department(user), clerks)


def department_clause(clerk_department_id: int | None, clerks: ClerkMap):  # type: ignore[no-untyped-def]
    """SQL: the appeals a clerk of ``clerk_department_id`` covers; None: all."""
    if clerk_department_id is None:
        return None
    department = appeal_department()
    own = or_(department.is_(None), department == clerk_department_id)
    if clerks.by_department.get(None):
        return own
    staffed = [d for d, ids in clerks.by_department.items() if d is not None and ids]
    return or_(own, department.not_in(staffed)) if staffed else or_(own, department.is_not(None))
