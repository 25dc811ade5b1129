"""Bringing an administration's old data in: departments, staff, correspondents, appeals, assignments
(CSV or XLSX, dry run first, idempotent re-runs by external keys) and buildings from ГАР.

``run_import`` is the one entry point for the spreadsheet kinds; the panel and the CLI both use it.
"""

from services.imports.engine import CHUNK_ROWS, get_kind, run_import
from services.imports.kinds import GAR_KIND, KINDS
from services.imports.report import ImportReport, RejectedRow

KIND_NAMES = (*KINDS, GAR_KIND)

__all__ = [
    "CHUNK_ROWS",
    "GAR_KIND",
    "KINDS",
    "KIND_NAMES",
    "ImportReport",
    "RejectedRow",
    "get_kind",
    "run_import",
]
