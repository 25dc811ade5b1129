"""The signed-in staff member as the panel sees it: a plain snapshot, safe after a rollback."""

from __future__ import annotations

from dataclasses import dataclass

from models import User
from models.enums import Role
from services.appeals import access
from services.audit import Actor


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: int
    full_name: str
    login: str | None
    roles: frozenset[Role]
    # The department limiting what they see of appeals (None: the whole organisation); the menu
    # leaves out what only organisation-wide staff may open.
    appeal_department_id: int | None = None

    @classmethod
    def of(cls, user: User) -> CurrentUser:
        return cls(
            id=user.id,
            full_name=user.full_name,
            login=user.login,
            roles=user.roles,
            appeal_department_id=access.scoped_department(user),
        )

    def has_role(self, *roles: Role) -> bool:
        """Admins pass every role check, like :meth:`models.User.has_role`."""
        return Role.ADMIN in self.roles or bool(self.roles & set(roles))

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, label="web")
