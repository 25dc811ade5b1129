"""The import kinds, by the name used in the panel and in ``porucheno import KIND FILE``."""

from __future__ import annotations

from services.imports.base import ImportKind
from services.imports.kinds.appeals import AppealsKind
from services.imports.kinds.assignments import AssignmentsKind
from services.imports.kinds.correspondents import CorrespondentsKind
from services.imports.kinds.departments import DepartmentsKind
from services.imports.kinds.staff import StaffKind

KINDS: dict[str, ImportKind] = {
    kind.name: kind
    for kind in (DepartmentsKind(), StaffKind(), CorrespondentsKind(), AppealsKind(), AssignmentsKind())
}
GAR_KIND = "buildings-gar"  # not row-based: see services/imports/gar.py
