"""Domain errors. Each carries an i18n message id the UI layers translate; never a traceback."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the user should read. ``message`` is a msgid; ``params`` fill its placeholders."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class InviteError(DomainError):
    pass
