"""What an import did (or, in a dry run, would do): counts and every rejected row with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from porucheno.i18n import gettext


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row: int  # as numbered in the spreadsheet: the header is usually row 1
    reason: str  # a msgid of the ``imports`` catalog; see :meth:`text`
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str = "ru") -> str:
        params = dict(self.params)
        if "column" in params:  # a column's title is a msgid too
            params["column"] = gettext(locale, str(params["column"]))
        return gettext(locale, self.reason, **params)


@dataclass(slots=True)
class ImportReport:
    kind: str
    dry_run: bool
    format: str = ""
    rows: int = 0  # rows read below the header, blank ones left out
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    # Staff made by a real run: the panel offers invite links for them.
    created_user_ids: list[int] = field(default_factory=list)

    def found(self, changed: bool) -> None:
        """Count a row that matched an existing record: updated, or unchanged by the file."""
        if changed:
            self.updated += 1
        else:
            self.unchanged += 1

    def reject(self, row: int, reason: str, **params: Any) -> None:
        self.rejected.append(RejectedRow(row, reason, params))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "format": self.format,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [[r.row, r.reason, r.params] for r in self.rejected],
            "created_user_ids": self.created_user_ids,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        report = cls(data["kind"], bool(data["dry_run"]), data.get("format", ""))
        report.rows, report.created = data.get("rows", 0), data.get("created", 0)
        report.updated, report.unchanged = data.get("updated", 0), data.get("unchanged", 0)
        report.rejected = [RejectedRow(int(r), str(m), dict(p)) for r, m, p in data.get("rejected", [])]
        report.created_user_ids = list(data.get("created_user_ids", []))
        return report
