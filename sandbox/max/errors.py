"""MAX Bot API errors: an HTTP status and ``{"code": str, "message": str}``."""

from __future__ import annotations

from typing import Any


class MaxApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def payload(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


def bad_request(message: str, code: str = "bad.request") -> MaxApiError:
    return MaxApiError(400, code, message)


def not_found(message: str = "Not found") -> MaxApiError:
    return MaxApiError(404, "not.found", message)


def chat_denied(message: str = "chat.denied: dialog is not available") -> MaxApiError:
    return MaxApiError(403, "chat.denied", message)


# Default code and message for injected faults and other statuses.
STATUS_CODES = {
    400: ("bad.request", "Bad request"),
    401: ("verify.token", "Invalid access_token"),
    403: ("chat.denied", "Chat denied"),
    404: ("not.found", "Not found"),
    429: ("too.many.requests", "Too many requests"),
    500: ("internal.error", "Internal error"),
    502: ("service.unavailable", "Bad gateway"),
    503: ("service.unavailable", "Service unavailable"),
    504: ("service.unavailable", "Gateway timeout"),
}


def status_error(status: int, message: str | None = None) -> MaxApiError:
    code, default = STATUS_CODES.get(status, ("internal.error", "Internal error"))
    return MaxApiError(status, code, message or default)
