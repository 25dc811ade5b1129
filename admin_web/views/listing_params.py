"""What every list page reads from its query string besides its own filters: the sort (a whitelisted
key and a direction), the search text, and the links built from them (sortable headers, removable
filter chips, exports). One parser, so ``?sort=…&dir=…`` means the same on every list, and a bad or
hostile value silently falls back to the list's default order instead of reaching SQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

SORT = "sort"
DIRECTION = "dir"
SEARCH = "q"
SEARCH_LIMIT = 100
# A new sort or filter starts from the first page: an old page number or cursor would point elsewhere.
PAGING = ("page", "after", "before")


@dataclass(frozen=True, slots=True)
class Sort:
    key: str
    desc: bool = False


def read_sort(params: Mapping[str, str], allowed: Iterable[str], default: Sort) -> Sort:
    """The requested sort if its key is whitelisted; a key without a direction sorts ascending."""
    key = params.get(SORT) or ""
    if key not in set(allowed):
        return default
    direction = params.get(DIRECTION)
    if direction not in ("asc", "desc"):
        return Sort(key, default.desc if key == default.key else False)
    return Sort(key, direction == "desc")


def read_search(params: Mapping[str, str], limit: int = SEARCH_LIMIT) -> str | None:
    return (params.get(SEARCH) or "").strip()[:limit] or None


@dataclass(frozen=True, slots=True)
class Chip:
    name: str  # the query parameter it stands for
    text: str  # "Status: overdue"
    remove_url: str  # the same list without this filter


def chip_text(label: str, value: object) -> str:
    """A chip's words: the filter's (translated) label and its value as the user reads it."""
    return f"{label}: {value}"


class ListState:
    """A list's current query (filters, search, sort) and the URLs that change one part of it.

    ``keep`` names the list's own filter parameters; anything else in the query (paging, junk) is
    dropped from the links, so a sort link never carries a stale page number or cursor.
    """

    def __init__(self, request: web.Request, keep: Iterable[str], sort: Sort, default: Sort) -> None:
        self.path = request.path
        self.filters = {
            k: request.query[k] for k in keep if request.query.get(k) and k not in (SORT, DIRECTION)
        }
        self.sort = sort
        self.default = default

    def sort_params(self) -> dict[str, str]:
        if self.sort == self.default:
            return {}
        return {SORT: self.sort.key, DIRECTION: "desc" if self.sort.desc else "asc"}

    def query(self) -> dict[str, str]:
        """Filters, search and sort: what exports and page links carry."""
        return {**self.filters, **self.sort_params()}

    def url(self, params: Mapping[str, str]) -> str:
        return f"{self.path}?{urlencode(params)}" if params else self.path

    def page_url(self, **paging: str) -> str:
        return self.url({**self.query(), **paging})

    def direction(self, key: str) -> str | None:
        if self.sort.key != key:
            return None
        return "desc" if self.sort.desc else "asc"

    def sort_url(self, key: str) -> str:
        """The header link: sort by ``key`` ascending, or flip the direction if already sorted by it."""
        desc = self.sort.key == key and not self.sort.desc
        return self.url({**self.filters, SORT: key, DIRECTION: "desc" if desc else "asc"})

    def chips(self, described: Mapping[str, str]) -> list[Chip]:
        """One chip per filter in use that ``described`` names (parameter -> "Label: value")."""
        chips = []
        for name, text in described.items():
            if name in self.filters:
                rest = {k: v for k, v in self.query().items() if k != name}
                chips.append(Chip(name, text, self.url(rest)))
        return chips
