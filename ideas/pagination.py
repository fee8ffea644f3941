"""Pages of long lists without counting them.

Django's Paginator counts the whole list on every page (a COUNT over ~100k ideas at full
size, the most expensive query of the forum's list). A `Page` here fetches one row more than
it shows instead: that row says whether a "Next" link is needed, and no total is computed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

# Beyond this many rows an OFFSET is not a page anyone reached by clicking "Next".
MAX_OFFSET = 10_000_000


class Page(Sequence):
    """A page of rows with Previous/Next, the subset of Django's Page the templates use."""

    def __init__(self, object_list: list, number: int, per_page: int, has_next: bool) -> None:
        self.object_list = object_list
        self.number = number
        self.per_page = per_page
        self._has_next = has_next

    def __repr__(self) -> str:
        return f"<Page {self.number}>"

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index: Any) -> Any:
        return self.object_list[index]

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(value: str | None) -> int:
    """The page asked for; anything that is not a positive whole number is page 1."""
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def get_page(rows: Sequence, number: int | str | None, per_page: int) -> Page:
    """Page `number` of `rows` (a QuerySet or a list), in one query: its rows and the next
    page's first. A page past the end (an old link, a hand-made URL) shows the last page,
    as Paginator.get_page does; only that rare case counts the list."""
    number = page_number(number) if not isinstance(number, int) else max(number, 1)
    offset = (number - 1) * per_page
    found = list(rows[offset : offset + per_page + 1]) if offset <= MAX_OFFSET else []
    if not found and number > 1:
        total = len(rows) if isinstance(rows, list | tuple) else rows.count()
        number = max(1, math.ceil(total / per_page))
        offset = (number - 1) * per_page
        found = list(rows[offset : offset + per_page + 1])
    return Page(found[:per_page], number, per_page, has_next=len(found) > per_page)


def capped_count(queryset: Any, cap: int) -> int:
    """How many rows `queryset` has, counting no further than `cap + 1`: enough to say
    "1,000+" without reading every match."""
    return queryset.order_by().values("pk")[: cap + 1].count()
