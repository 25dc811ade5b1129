"""Fault injection: the next N calls of a method answer with a chosen error status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import STATUS_DESCRIPTIONS, ApiError

ANY_METHOD = "*"


@dataclass
class Fault:
    method: str
    status: int
    remaining: int
    retry_after: int | None = None
    description: str | None = None

    def to_error(self) -> ApiError:
        if self.status == 429:
            retry = self.retry_after or 1
            return ApiError(
                429, self.description or f"Too Many Requests: retry after {retry}", retry_after=retry
            )
        description = self.description or STATUS_DESCRIPTIONS.get(self.status, "Internal Server Error")
        return ApiError(self.status, description, retry_after=self.retry_after)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class FaultInjector:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(
        self,
        method: str,
        status: int,
        count: int,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> Fault:
        fault = Fault(method.lower(), status, count, retry_after, description)
        self.faults.append(fault)
        return fault

    def take(self, method: str) -> ApiError | None:
        """Consume one pending fault for ``method`` (or ``*``), oldest first."""
        method = method.lower()
        for fault in self.faults:
            if fault.remaining > 0 and fault.method in (method, ANY_METHOD):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.faults.remove(fault)
                return fault.to_error()
        return None

    def clear(self) -> None:
        self.faults.clear()
