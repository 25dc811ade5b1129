"""The «Points» rows of the new-assignment form: a multi-point assignment (services.assignments.points).

Rows are numbered fields ``pt<i>_title``, ``pt<i>_executor_id``, ``pt<i>_department_id``,
``pt<i>_deadline`` and ``pt<i>_co`` (co-executors); ``assignment-points.js`` adds rows by cloning a
template row. A row with nothing filled in is ignored; once any row is filled, the form makes a
multi-point assignment: the executor fields above the rows are not used, and the deadline above is
optional (empty: the latest point's).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from typing import Any

from aiohttp import web

from admin_web.forms import Form
from admin_web.i18n import N_, translate_error
from admin_web.views.common import parse_local, zone
from services.assignments import commands, points

ROW = re.compile(r"^pt(\d{1,2})_(title|executor_id|department_id|deadline|co)$")
FIELDS = ("title", "executor_id", "department_id", "deadline")


def co_names(keys: Collection[str]) -> tuple[str, ...]:
    """The multi-valued co-executor fields among the posted keys (for ``Form.posted``)."""
    return tuple(k for k in keys if (m := ROW.match(k)) and m.group(2) == "co")


def row_numbers(form: Form) -> list[int]:
    """The rows with anything filled in, in their order on the page."""
    found: set[int] = set()
    for key, value in form.values.items():
        match = ROW.match(key)
        if match and value and (match.group(2) != "co" or any(value)):
            found.add(int(match.group(1)))
    return sorted(found)[: points.MAX_POINTS]


def rows_for_template(form: Form) -> list[int]:
    """The rows to draw back: the filled ones, or one empty row for a fresh form."""
    return row_numbers(form) or [1]


def parse(
    request: web.Request,
    form: Form,
    *,
    active: set[int],
    departments: set[int],
) -> list[points.NewPoint] | None:
    """The points of the form, each field's refusal next to it; None when a row is unusable."""
    allowed = [str(i) for i in active]
    result: list[points.NewPoint] = []
    usable = True
    for i in row_numbers(form):
        title = form.text(f"pt{i}_title", required=True, max_length=commands.TITLE_LIMIT)
        executor_id = form.choice(f"pt{i}_executor_id", active)
        department_id = form.choice(f"pt{i}_department_id", departments)
        raw = form.text(f"pt{i}_deadline", required=True, max_length=32)
        deadline: datetime | None = parse_local(raw, zone(request)) if raw else None
        if raw and deadline is None:
            form.fail(f"pt{i}_deadline", N_("Enter a date and time."))
        if executor_id is None and department_id is None:
            form.fail(f"pt{i}_executor_id", N_("Choose an executor or a department."))
        co = tuple(int(v) for v in form.choices(f"pt{i}_co", allowed))
        if title is None or deadline is None:
            usable = False
            continue
        result.append(
            points.NewPoint(
                title=title,
                deadline=deadline,
                executor_id=executor_id,
                department_id=department_id,
                co_executor_ids=co,
            )
        )
    return result if usable else None


def place_problems(form: Form, problems: list[Any]) -> None:
    """Service refusals by their field; a point's (``point<no>:<field>``) go to its row."""
    numbers = row_numbers(form)
    for problem in problems:
        field = str(problem.params.get("field") or "")
        match = re.match(r"^point(\d+):(\w+)$", field)
        if match is None:
            form.fail_domain(problem)
            continue
        no, name = int(match.group(1)), match.group(2)
        name = name if name in FIELDS else "title"
        row = numbers[no - 1] if 0 < no <= len(numbers) else 1
        form.errors.setdefault(f"pt{row}_{name}", translate_error(problem.message, problem.params))
