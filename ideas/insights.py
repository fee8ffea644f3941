"""Insights for executives: demand, revenue at stake, market chatter, where evidence comes
from, decisions and sentiment over a period, compared with the period just before it.

PostgreSQL computes every figure (conditional aggregation with FILTER, GROUPING SETS,
distinct-account ARR, percentiles); Python runs the significance tests on the counts it
returns and shapes them for people. The page, the printable report, the CSV, the PowerPoint
deck and the weekly digest all read the same `Insights` object, so they can never disagree.
The method is written up in docs/insights.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ideas.choices import Importance, Lifecycle, Plan, Region, Segment, SignalKind, Status

logger = logging.getLogger(__name__)

# Periods: the presets, and the longest custom range (three years and a leap day).
RANGES = {"30": 30, "90": 90, "365": 365}
DEFAULT_RANGE = "90"
MAX_DAYS = 3 * 365 + 1
# Weekly buckets up to this many days, monthly beyond, so a chart has 5 to 36 bars.
WEEKLY_UP_TO_DAYS = 120
# Memory for each sort or hash while computing (the server's default is 4 MB).
WORK_MEM = "64MB"

# Rising and cooling: the exact conditional binomial test (see docs/insights.md).
ALPHA = 0.05  # the false discovery rate, controlled with Benjamini–Hochberg per family
MIN_EVENTS = 5  # fewer events in both periods together are not tested at all
CONFIDENCE = 0.95

# How much each panel shows; the CSV and the deck show the same.
TOP_IDEAS = 10
MOVERS_SHOWN = 10
TOP_COMPETITORS = 5
VERBATIMS_PER_KIND = 3
SENTIMENT_EXAMPLES = 3
DECISIONS_SHOWN = 12
# VADER's own cut-offs for a positive or negative compound score.
POSITIVE, NEGATIVE = 0.05, -0.05
SENTIMENT_MAX_CHARS = 5_000

WEIGHTS = {"count": "Events", "arr": "ARR-weighted"}
ACCOUNT_FILTERS = {"segment": Segment, "region": Region, "plan": Plan, "lifecycle": Lifecycle}
NO_SEGMENT = "No segment"
UNCATEGORISED = "Uncategorised"
CHATTER_KINDS = {
    SignalKind.COMPETITOR: "Competitor mentions",
    SignalKind.PRICING: "Pricing objections",
    SignalKind.LOSS_REASON: "Loss reasons",
}
MESH_SOURCES = {
    "customer": "Customers (forum ideas, comments, votes)",
    "sales": "Sales (signals, ideas, votes)",
    "staff": "Staff (ideas, signals, votes)",
}
DECIDED = {Status.PLANNED: "Planned", Status.SHIPPED: "Shipped", Status.DECLINED: "Declined"}

# One palette for the page (insights.js), the deck and the emails.
COLORS = {
    "primary": "#4f46e5",
    "secondary": "#0ea5e9",
    "rising": "#15803d",
    "cooling": "#b91c1c",
    "muted": "#9ca3af",
    "customer": "#4f46e5",
    "sales": "#f59e0b",
    "staff": "#0ea5e9",
    Status.PLANNED: "#2563eb",
    Status.SHIPPED: "#15803d",
    Status.DECLINED: "#b91c1c",
    "positive": "#15803d",
    "neutral": "#9ca3af",
    "negative": "#b91c1c",
}
SERIES = ("#4f46e5", "#f59e0b", "#0ea5e9", "#db2777", "#65a30d", "#7c3aed", "#9ca3af")


# The question: a period, the one before it, filters and the demand measure.


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in the portal's time zone."""

    start: dt.date
    end: dt.date

    @classmethod
    def last(cls, days: int, today: dt.date | None = None) -> Period:
        """The `days` days that end today."""
        today = today or timezone.localdate()
        return cls(today - dt.timedelta(days=days - 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    @property
    def since(self) -> dt.datetime:
        """The first moment of the period, for timestamp columns."""
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def until(self) -> dt.datetime:
        """The first moment after the period (exclusive)."""
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )

    @property
    def bucket(self) -> str:
        return "week" if self.days <= WEEKLY_UP_TO_DAYS else "month"

    def buckets(self) -> list[dt.date]:
        """Every bucket's first day (as PostgreSQL's date_trunc gives it), in order."""
        if self.bucket == "week":
            day = self.start - dt.timedelta(days=self.start.weekday())
            step = [day]
            while (day := day + dt.timedelta(days=7)) <= self.end:
                step.append(day)
            return step
        month = self.start.replace(day=1)
        months = [month]
        while (month := (month + dt.timedelta(days=32)).replace(day=1)) <= self.end:
            months.append(month)
        return months

    def bucket_label(self, day: dt.date) -> str:
        if self.bucket == "week":
            return f"{day.day} {day:%b}" if self.start.year == self.end.year else f"{day:%d %b %y}"
        return f"{day:%b %Y}"

    def __str__(self) -> str:
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"


@dataclass(frozen=True)
class Filters:
    """Which accounts and which ideas count. Empty strings mean "any"."""

    segment: str = ""
    region: str = ""
    plan: str = ""
    lifecycle: str = ""
    category: str = ""  # a category's slug

    def params(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in (*ACCOUNT_FILTERS, "category")}
        # Decisions look for evidence from a matching account only when one is asked for.
        values["by_account"] = any(getattr(self, name) for name in ACCOUNT_FILTERS)
        return values

    def described(self, categories: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """(filter, value) pairs in words, for titles, the CSV and the deck."""
        described = []
        for name, choices in ACCOUNT_FILTERS.items():
            value = getattr(self, name)
            if value:
                described.append((name.capitalize(), str(choices(value).label)))
        if self.category:
            described.append(("Category", (categories or {}).get(self.category, self.category)))
        return described


@dataclass(frozen=True)
class InsightsQuery:
    period: Period
    filters: Filters = Filters()
    weight: str = "count"  # "count" or "arr": how demand is measured in the panels
    focus: str = ""  # the segment whose asks the interest panel compares; "" picks one

    @property
    def by_arr(self) -> bool:
        return self.weight == "arr"

    def params(self) -> dict[str, Any]:
        """Bound parameters shared by every query (psycopg2 binds them client-side)."""
        period, previous = self.period, self.period.previous
        return {
            "tz": timezone.get_current_timezone_name(),
            "start": period.start,
            "end": period.end,
            "since": period.since,
            "until": period.until,
            "prev_start": previous.start,
            "prev_since": previous.since,
            "bucket": period.bucket,
            **self.filters.params(),
        }


# Statistics: is a change from the previous period more than noise?


@dataclass(slots=True)
class Change:
    """Demand for one idea, category, tag or segment cell in both periods, and its test."""

    key: Any
    label: str
    current: int
    previous: int
    current_arr: Decimal = Decimal(0)
    previous_arr: Decimal = Decimal(0)
    slug: str | None = None  # ideas only: the link is built when shown, not for every idea
    by_arr: bool = False
    p_value: float | None = None  # None: too few events to test
    q_value: float | None = None  # Benjamini–Hochberg adjusted, within the family
    ratio: float | None = None  # current / previous; None when previous is 0 (new demand)
    ratio_low: float | None = None
    ratio_high: float | None = None  # None: unbounded

    @property
    def url(self) -> str:
        return idea_url(self.key, self.slug) if self.slug is not None else ""

    @property
    def tested(self) -> bool:
        return self.p_value is not None

    @property
    def flagged(self) -> bool:
        return self.q_value is not None and self.q_value < ALPHA

    @property
    def direction(self) -> str:
        if self.current > self.previous:
            return "rising"
        return "cooling" if self.current < self.previous else "flat"

    @property
    def current_value(self) -> float:
        return float(self.current_arr) if self.by_arr else float(self.current)

    @property
    def previous_value(self) -> float:
        return float(self.previous_arr) if self.by_arr else float(self.previous)

    @property
    def delta(self) -> float:
        """The change in the chosen measure (events, or ARR behind them)."""
        return self.current_value - self.previous_value

    @property
    def delta_text(self) -> str:
        """The change in the chosen measure with its sign: +12, −3, +$1.2M."""
        if not self.by_arr:
            return f"{int(self.delta):+d}".replace("-", "−")
        sign = "+" if self.delta > 0 else "−" if self.delta < 0 else ""
        return sign + money_text(abs(self.delta))

    @property
    def q_text(self) -> str:
        if self.q_value is None:
            return "not tested"
        return "< 0.001" if self.q_value < 0.001 else f"{self.q_value:.3f}"

    @property
    def ratio_text(self) -> str:
        """ "2.5× (1.3–5.1)", or "new" when there was nothing before."""
        if not self.tested:
            return "—"
        if self.ratio is None:
            low = f"{self.ratio_low:.1f}" if self.ratio_low is not None else "?"
            return f"new (≥ {low}×)"
        high = f"{self.ratio_high:.2f}" if self.ratio_high is not None else "∞"
        return f"{self.ratio:.2f}× ({self.ratio_low:.2f}–{high})"


def binomial_tests(
    current: Sequence[int], previous: Sequence[int]
) -> list[tuple[float, float | None, float, float | None]]:
    """Exact two-sided tests that both periods share one rate, with the rate ratio's exact CI.

    With equal-length periods and no change, each of the n = current + previous events falls
    in the current period with probability ½, so current | n ~ Binomial(n, ½). That
    distribution is symmetric, so the two-sided p-value is 2·P(X ≤ min(x, n − x)), capped
    at 1 (what scipy's binomtest gives, computed for all rows at once: a page tests
    thousands of ideas). The Clopper–Pearson interval for the share p maps to the rate
    ratio p / (1 − p). Returns (p, ratio, ratio_low, ratio_high) per row; None is infinity.
    """
    # Imported late: only needed here. scipy.special's functions rather than scipy.stats'
    # distributions, which cost a web worker 80 MB of memory to import instead of 30:
    # binom.cdf(k, n, p) is bdtr(k, n, p) and beta.ppf(q, a, b) is betaincinv(a, b, q).
    import numpy as np
    from scipy.special import bdtr, betaincinv

    x = np.asarray(current, dtype=float)
    n = x + np.asarray(previous, dtype=float)
    whole = n.astype(np.int64)  # bdtr takes whole numbers of trials
    p_values = np.minimum(1.0, 2 * bdtr(np.minimum(x, n - x).astype(np.int64), whole, 0.5))
    tail = (1 - CONFIDENCE) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x > 0, betaincinv(x, n - x + 1, tail), 0.0)
        high = np.where(x < n, betaincinv(x + 1, n - x, 1 - tail), 1.0)
    results = []
    for cur, prev, p, lo, hi in zip(current, previous, p_values, low, high, strict=True):
        results.append(
            (
                float(p),
                cur / prev if prev else None,
                float(lo / (1 - lo)),
                float(hi / (1 - hi)) if hi < 1 else None,
            )
        )
    return results


def binomial_test(current: int, previous: int) -> tuple[float, float | None, float, float | None]:
    """One row of binomial_tests."""
    return binomial_tests([current], [previous])[0]


def test_changes(changes: list[Change]) -> list[Change]:
    """Test every change with enough events; adjust the p-values for the whole family
    (Benjamini–Hochberg), so "flagged" keeps the false discovery rate at ALPHA."""
    tested = [c for c in changes if c.current + c.previous >= MIN_EVENTS]
    if not tested:
        return changes
    results = binomial_tests([c.current for c in tested], [c.previous for c in tested])
    for change, result in zip(tested, results, strict=True):
        change.p_value, change.ratio, change.ratio_low, change.ratio_high = result
    adjusted = benjamini_hochberg([c.p_value for c in tested])
    for change, q_value in zip(tested, adjusted, strict=True):
        change.q_value = float(q_value)
    return changes


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the order given: the k-th
    smallest p times m / k, made monotone from the largest down, at most 1 (what
    scipy.stats.false_discovery_control(method="bh") returns)."""
    import numpy as np

    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if not m:
        return []
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    monotone = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(monotone, 1.0)
    return adjusted.tolist()


def movers(changes: Iterable[Change], limit: int | None = MOVERS_SHOWN) -> list[Change]:
    """Significant changes first, biggest first; then the largest changes that are noise."""
    ranked = sorted(changes, key=lambda c: (not c.flagged, -abs(c.delta), str(c.label)))
    ranked = [c for c in ranked if c.delta or c.flagged]
    return ranked if limit is None else ranked[:limit]


# Charts and tables: one description, drawn by Chart.js on the page and natively in the deck.


@dataclass
class Series:
    name: str
    values: list[float | None]
    color: str = COLORS["primary"]
    colors: list[str] | None = None  # one per bar, for diverging charts

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "values": self.values,
            "color": self.color,
            "colors": self.colors,
        }


@dataclass
class Chart:
    title: str
    labels: list[str]
    series: list[Series]
    kind: str = "bar"  # "bar" or "line"
    horizontal: bool = False
    stacked: bool = False
    money: bool = False
    percent: bool = False
    axis: str = ""  # the value axis' title

    def as_json(self) -> str:
        """The description insights.js reads from a data-chart attribute."""
        return json.dumps(
            {
                "title": self.title,
                "labels": self.labels,
                "series": [s.as_dict() for s in self.series],
                "kind": self.kind,
                "horizontal": self.horizontal,
                "stacked": self.stacked,
                "money": self.money,
                "percent": self.percent,
                "axis": self.axis,
                "currency": settings.LODE_CURRENCY,
            },
            separators=(",", ":"),
        )

    @property
    def empty(self) -> bool:
        return not self.labels or not any(v for s in self.series for v in s.values if v)


@dataclass
class Table:
    """Plain figures for the CSV: text cells and numbers, never pre-formatted."""

    title: str
    columns: list[str]
    rows: list[list[Any]]

    def display_rows(self) -> list[list[str]]:
        """The same figures as text for the page's tables."""
        return [[display(value) for value in row] for row in self.rows]


def display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, Decimal):
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def counted(n: int, plural: str) -> str:
    """ "1 loss reason", "2 loss reasons": the phrase is given in the plural."""
    return f"{n} {plural.removesuffix('s') if n == 1 else plural}"


def signed(value: float | None, digits: int = 2) -> str:
    """+0.23, −0.40: a sentiment score with its sign."""
    if value is None:
        return "—"
    return f"{value:+.{digits}f}".replace("-", "−")


def short(text: str, length: int = 42) -> str:
    """A chart label: long idea titles are cut, the table beside the chart has them whole."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def money_value(value: Decimal | float | int | None) -> float:
    return float(value or 0)


# Panels. Each has a key, a title, a one-line summary, charts and tables.


@dataclass
class TopIdea:
    pk: int
    title: str
    url: str
    status: str
    category: str
    votes: int
    signals: int
    deal_breakers: int
    accounts: int
    arr: Decimal
    open_deals: int
    open_value: Decimal

    @property
    def at_stake(self) -> Decimal:
        return self.arr + self.open_value

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass
class TopIdeasPanel:
    ideas: list[TopIdea]
    accounts: int  # distinct accounts behind any idea in the period, each counted once
    arr: Decimal  # their ARR, each account once
    deal_breakers: int
    key: str = "top"
    title: str = "Top ideas by revenue at stake"

    @property
    def summary(self) -> str:
        if not self.ideas:
            return "No votes or signals from accounts in this period."
        first = self.ideas[0]
        return (
            f"{self.accounts} account{'s' if self.accounts != 1 else ''} with "
            f"{money_text(self.arr)} ARR asked for something; "
            f"“{first.title}” has the most at stake ({money_text(first.at_stake)})."
        )

    def charts(self) -> list[Chart]:
        labels = [short(i.title) for i in self.ideas]
        return [
            Chart(
                "Revenue at stake per idea",
                labels,
                [
                    Series("ARR of the accounts asking", [money_value(i.arr) for i in self.ideas]),
                    Series(
                        "Open opportunities",
                        [money_value(i.open_value) for i in self.ideas],
                        COLORS["sales"],
                    ),
                ],
                horizontal=True,
                stacked=True,
                money=True,
            )
        ]

    def tables(self) -> list[Table]:
        return [
            Table(
                self.title,
                [
                    "idea",
                    "status",
                    "category",
                    "accounts",
                    "arr",
                    "open_deals",
                    "open_opportunity_value",
                    "revenue_at_stake",
                    "deal_breakers",
                    "votes",
                    "signals",
                ],
                [
                    [
                        i.title,
                        i.status_label,
                        i.category,
                        i.accounts,
                        i.arr,
                        i.open_deals,
                        i.open_value,
                        i.at_stake,
                        i.deal_breakers,
                        i.votes,
                        i.signals,
                    ]
                    for i in self.ideas
                ],
            ),
            Table(
                "All ideas together (each account once)",
                ["accounts", "arr", "deal_breakers"],
                [[self.accounts, self.arr, self.deal_breakers]],
            ),
        ]


@dataclass
class MoversPanel:
    ideas: list[Change]
    categories: list[Change]
    tags: list[Change]
    current: int  # all demand events in the period
    previous: int
    by_arr: bool = False
    min_events: int = MIN_EVENTS
    # family -> (flagged rising, flagged cooling), counted over the whole family, so the
    # summary stays right after compact() keeps only the changes shown.
    flag_counts: dict[str, tuple[int, int]] | None = None
    key: str = "movers"
    title: str = "Rising and cooling"

    def __post_init__(self) -> None:
        if self.flag_counts is None:
            self.flag_counts = {
                name: (
                    sum(c.flagged and c.direction == "rising" for c in family),
                    sum(c.flagged and c.direction == "cooling" for c in family),
                )
                for name, _, family in self.families
            }

    def compact(self) -> MoversPanel:
        """The same panel with only the changes any view shows (a year has a change for
        nearly every idea: 100,000 rows the page, report, CSV and deck never list)."""
        return replace(
            self,
            ideas=movers(self.ideas),
            categories=movers(self.categories),
            tags=movers(self.tags),
            flag_counts=self.flag_counts,
        )

    @property
    def shown(self) -> dict[str, list[Change]]:
        """What each family's table lists: significant changes first, then the largest."""
        return {
            "ideas": movers(self.ideas),
            "categories": movers(self.categories),
            "tags": movers(self.tags),
        }

    def flagged(self, family: list[Change], direction: str) -> list[Change]:
        return [c for c in movers(family, None) if c.flagged and c.direction == direction]

    @property
    def families(self) -> list[tuple[str, str, list[Change]]]:
        """(plural, singular, changes) for each family tested on its own."""
        return [
            ("Ideas", "Idea", self.ideas),
            ("Categories", "Category", self.categories),
            ("Tags", "Tag", self.tags),
        ]

    @property
    def summary(self) -> str:
        parts = []
        for name, _, _ in self.families:
            up, down = (self.flag_counts or {}).get(name, (0, 0))
            if up or down:
                parts.append(f"{name.lower()}: {up} rising, {down} cooling")
        change = f"{self.current} events against {self.previous} in the previous period"
        if not parts:
            return f"{change}; no change is statistically significant."
        return f"{change}. Significant: " + "; ".join(parts) + "."

    def chart_for(self, title: str, family: list[Change]) -> Chart:
        shown = movers(family, MOVERS_SHOWN)
        colors = [
            COLORS[c.direction] if c.flagged and c.direction != "flat" else COLORS["muted"]
            for c in shown
        ]
        return Chart(
            title,
            [short(c.label, 36) for c in shown],
            [Series("Change", [c.delta for c in shown], COLORS["primary"], colors)],
            horizontal=True,
            money=self.by_arr,
            axis="Change in ARR behind the demand" if self.by_arr else "Change in events",
        )

    def charts(self) -> list[Chart]:
        return [
            self.chart_for("Ideas: change against the previous period", self.ideas),
            self.chart_for("Categories: change against the previous period", self.categories),
        ]

    def tables(self) -> list[Table]:
        columns = [
            "level",
            "name",
            "previous",
            "current",
            "previous_arr",
            "current_arr",
            "rate_ratio",
            "ratio_ci_low",
            "ratio_ci_high",
            "p_value",
            "q_value",
            "significant",
            "direction",
        ]
        rows = []
        for _, level, family in self.families:
            for c in movers(family, MOVERS_SHOWN):
                rows.append(
                    [
                        level,
                        c.label,
                        c.previous,
                        c.current,
                        c.previous_arr,
                        c.current_arr,
                        c.ratio,
                        c.ratio_low,
                        c.ratio_high,
                        c.p_value,
                        c.q_value,
                        "yes" if c.flagged else "no",
                        c.direction,
                    ]
                )
        return [Table(self.title, columns, rows)]


@dataclass
class InterestPanel:
    categories: list[tuple[Any, str]]  # (category id or None, name), in the portal's order
    segments: list[tuple[str, str]]  # (segment value or "", label)
    cells: dict[tuple[Any, str], Change]
    focus: str
    focus_changes: list[Change]
    by_arr: bool = False
    key: str = "interest"
    title: str = "Interest by segment"

    @property
    def focus_label(self) -> str:
        return segment_label(self.focus)

    @property
    def focus_rows(self) -> list[Change]:
        return movers(self.focus_changes, None)

    def value(self, category: Any, segment: str) -> float:
        cell = self.cells.get((category, segment))
        return cell.current_value if cell else 0.0

    def heat_rows(self) -> list[dict[str, Any]]:
        """The heat map: one row per category, a value and a shade (0–6) per segment."""
        peak = max(
            (self.value(c, s) for c, _ in self.categories for s, _ in self.segments), default=0
        )
        rows = []
        for category, name in self.categories:
            cells = []
            for segment, label in self.segments:
                value = self.value(category, segment)
                level = 0 if not value or not peak else min(6, 1 + int(5 * value / peak))
                cells.append({"segment": label, "value": value, "level": level})
            rows.append({"category": name, "cells": cells})
        return rows

    @property
    def more(self) -> list[Change]:
        return [c for c in movers(self.focus_changes, None) if c.delta > 0]

    @property
    def less(self) -> list[Change]:
        return [c for c in movers(self.focus_changes, None) if c.delta < 0]

    @property
    def summary(self) -> str:
        if not self.focus_changes:
            return "No demand from accounts with a segment in these periods."
        more = [c.label for c in self.more if c.flagged]
        less = [c.label for c in self.less if c.flagged]
        if not more and not less:
            return f"{self.focus_label}: no significant shift between categories."
        parts = []
        if more:
            parts.append("asks more for " + ", ".join(more))
        if less:
            parts.append("less for " + ", ".join(less))
        return f"{self.focus_label} " + " and ".join(parts) + " than before."

    def charts(self) -> list[Chart]:
        changes = sorted(self.focus_changes, key=lambda c: -c.current_value)
        return [
            Chart(
                f"{self.focus_label}: demand per category, before and now",
                [short(c.label, 30) for c in changes],
                [
                    Series(
                        "Previous period", [c.previous_value for c in changes], COLORS["muted"]
                    ),
                    Series("This period", [c.current_value for c in changes], COLORS["primary"]),
                ],
                horizontal=True,
                money=self.by_arr,
            )
        ]

    def tables(self) -> list[Table]:
        heat = Table(
            "Demand this period: category × segment" + (" (ARR-weighted)" if self.by_arr else ""),
            ["category", *(label for _, label in self.segments)],
            [
                [row["category"], *(cell["value"] for cell in row["cells"])]
                for row in self.heat_rows()
            ],
        )
        focus = Table(
            f"{self.focus_label}: asks more and less than before",
            ["category", "previous", "current", "rate_ratio", "p_value", "q_value", "significant"],
            [
                [
                    c.label,
                    c.previous_value,
                    c.current_value,
                    c.ratio,
                    c.p_value,
                    c.q_value,
                    "yes" if c.flagged else "no",
                ]
                for c in movers(self.focus_changes, None)
            ],
        )
        return [heat, focus]


@dataclass
class Verbatim:
    kind: str
    text: str
    heard_on: dt.date
    account: str
    segment: str
    competitor: str = ""
    idea_title: str = ""
    idea_url: str = ""
    sentiment: float | None = None

    @property
    def tone_text(self) -> str:
        return signed(self.sentiment)

    @property
    def kind_label(self) -> str:
        return CHATTER_KINDS.get(self.kind) or SignalKind(self.kind).label


@dataclass
class ChatterPanel:
    period: Period
    over_time: dict[tuple[str, str], dict[dt.date, int]]  # (kind, competitor) -> bucket -> n
    by_segment: dict[str, dict[str, int]]  # segment -> kind -> n
    totals: dict[str, int]  # kind -> n
    competitors: list[tuple[str, int]]  # every competitor named, most mentioned first
    verbatims: dict[str, list[Verbatim]]
    key: str = "chatter"
    title: str = "Market chatter"

    @property
    def kinds(self) -> list[tuple[str, str]]:
        return list(CHATTER_KINDS.items())

    @property
    def segment_rows(self) -> list[tuple[str, list[int]]]:
        """(segment, counts per chatter kind), the noisiest segment first."""
        segments = sorted(self.by_segment, key=lambda s: (-sum(self.by_segment[s].values()), s))
        return [
            (segment_label(s), [self.by_segment[s].get(kind, 0) for kind in CHATTER_KINDS])
            for s in segments
        ]

    @property
    def summary(self) -> str:
        if not any(self.totals.values()):
            return "No competitor mentions, pricing objections or loss reasons in this period."
        parts = [
            counted(self.totals.get(kind, 0), label.lower())
            for kind, label in CHATTER_KINDS.items()
        ]
        lead = (
            f"; {self.competitors[0][0]} named most ({self.competitors[0][1]})"
            if self.competitors
            else ""
        )
        return ", ".join(parts) + lead + "."

    def series_keys(self) -> list[tuple[str, str]]:
        named = [
            (SignalKind.COMPETITOR.value, name) for name, _ in self.competitors[:TOP_COMPETITORS]
        ]
        return [
            *named,
            (SignalKind.COMPETITOR.value, ""),
            (SignalKind.PRICING.value, ""),
            (SignalKind.LOSS_REASON.value, ""),
        ]

    @staticmethod
    def series_name(key: tuple[str, str]) -> str:
        kind, competitor = key
        if kind == SignalKind.COMPETITOR:
            return competitor or "Other competitors"
        return CHATTER_KINDS[kind]

    def charts(self) -> list[Chart]:
        buckets = self.period.buckets()
        fixed = {
            (SignalKind.COMPETITOR.value, ""): COLORS["muted"],
            (SignalKind.PRICING.value, ""): COLORS["sales"],
            (SignalKind.LOSS_REASON.value, ""): COLORS["cooling"],
        }
        palette = iter(("#4f46e5", "#0ea5e9", "#db2777", "#65a30d", "#7c3aed"))
        series = []
        for key in self.series_keys():
            counts = self.over_time.get(key, {})
            series.append(
                Series(
                    self.series_name(key),
                    [counts.get(b, 0) for b in buckets],
                    fixed.get(key) or next(palette),
                )
            )
        segments = sorted(self.by_segment, key=lambda s: -sum(self.by_segment[s].values()))
        return [
            Chart(
                f"Chatter per {self.period.bucket}",
                [self.period.bucket_label(b) for b in buckets],
                series,
                stacked=True,
                axis="Signals",
            ),
            Chart(
                "Chatter by segment",
                [segment_label(s) for s in segments],
                [
                    Series(label, [self.by_segment[s].get(kind, 0) for s in segments], color)
                    for (kind, label), color in zip(
                        CHATTER_KINDS.items(),
                        (COLORS["primary"], COLORS["sales"], COLORS["cooling"]),
                        strict=True,
                    )
                ],
                horizontal=True,
                stacked=True,
            ),
        ]

    def tables(self) -> list[Table]:
        buckets = self.period.buckets()
        keys = self.series_keys()
        segments = sorted(self.by_segment)
        verbatims = [v for kind in CHATTER_KINDS for v in self.verbatims.get(kind, [])]
        return [
            Table(
                f"Chatter per {self.period.bucket}",
                [self.period.bucket, *(self.series_name(k) for k in keys)],
                [[b, *(self.over_time.get(k, {}).get(b, 0) for k in keys)] for b in buckets],
            ),
            Table(
                "Competitor mentions by name",
                ["competitor", "mentions"],
                [[name, n] for name, n in self.competitors],
            ),
            Table(
                "Chatter by segment",
                ["segment", *CHATTER_KINDS.values()],
                [
                    [segment_label(s), *(self.by_segment[s].get(k, 0) for k in CHATTER_KINDS)]
                    for s in segments
                ],
            ),
            Table(
                "Latest verbatims",
                ["kind", "heard_on", "account", "segment", "competitor", "verbatim", "idea"],
                [
                    [
                        v.kind_label,
                        v.heard_on,
                        v.account,
                        v.segment,
                        v.competitor,
                        v.text,
                        v.idea_title,
                    ]
                    for v in verbatims
                ],
            ),
        ]


@dataclass
class SourceOutcome:
    source: str
    ideas: int
    adopted: int  # planned, in progress or shipped by the end of the period
    declined: int

    @property
    def label(self) -> str:
        return MESH_SOURCES[self.source]

    @property
    def adopted_share(self) -> float:
        return self.adopted / self.ideas if self.ideas else 0.0

    @property
    def declined_share(self) -> float:
        return self.declined / self.ideas if self.ideas else 0.0


@dataclass
class MeshPanel:
    period: Period
    over_time: dict[str, dict[dt.date, int]]  # source -> bucket -> items of evidence
    totals: dict[str, int]
    outcomes: list[SourceOutcome]
    key: str = "mesh"
    title: str = "The mesh: where evidence comes from"

    @property
    def summary(self) -> str:
        total = sum(self.totals.values())
        if not total:
            return "No evidence arrived in this period."
        shares = ", ".join(
            f"{source} {round(100 * self.totals.get(source, 0) / total)}%"
            for source in MESH_SOURCES
        )
        best = max(self.outcomes, key=lambda o: (o.adopted_share, o.ideas), default=None)
        lead = (
            f"; ideas backed by {best.source} evidence were adopted most often "
            f"({round(100 * best.adopted_share)}%)"
            if best and best.adopted
            else ""
        )
        return f"{total} pieces of evidence: {shares}{lead}."

    def charts(self) -> list[Chart]:
        buckets = self.period.buckets()
        return [
            Chart(
                f"Evidence per {self.period.bucket}, by source",
                [self.period.bucket_label(b) for b in buckets],
                [
                    Series(
                        label.split(" (")[0],
                        [self.over_time.get(source, {}).get(b, 0) for b in buckets],
                        COLORS[source],
                    )
                    for source, label in MESH_SOURCES.items()
                ],
                stacked=True,
                axis="Items of evidence",
            ),
            Chart(
                "Which sources lead to decisions",
                [o.label.split(" (")[0] for o in self.outcomes],
                [
                    Series(
                        "Planned or shipped",
                        [round(100 * o.adopted_share, 1) for o in self.outcomes],
                        COLORS[Status.SHIPPED],
                    ),
                    Series(
                        "Declined",
                        [round(100 * o.declined_share, 1) for o in self.outcomes],
                        COLORS[Status.DECLINED],
                    ),
                ],
                percent=True,
                axis="Share of ideas backed",
            ),
        ]

    def tables(self) -> list[Table]:
        buckets = self.period.buckets()
        return [
            Table(
                f"Evidence per {self.period.bucket}, by source",
                [self.period.bucket, *MESH_SOURCES],
                [
                    [b, *(self.over_time.get(s, {}).get(b, 0) for s in MESH_SOURCES)]
                    for b in buckets
                ],
            ),
            Table(
                "Ideas backed by each source and what became of them",
                ["source", "ideas", "planned_or_shipped", "declined", "adopted_share"],
                [
                    [o.source, o.ideas, o.adopted, o.declined, round(o.adopted_share, 4)]
                    for o in self.outcomes
                ],
            ),
        ]


@dataclass
class Decision:
    at: dt.datetime
    status: str
    from_status: str
    explanation: str
    idea_title: str
    idea_url: str
    category: str
    actor: str

    @property
    def status_label(self) -> str:
        return DECIDED.get(self.status, self.status)


@dataclass
class DecisionsPanel:
    period: Period
    over_time: dict[str, dict[dt.date, int]]  # status -> bucket -> n
    counts: dict[str, int]
    decided_ideas: int  # ideas whose first decision fell in the period
    median_days: float | None
    p75_days: float | None
    recent: list[Decision]
    total: int
    key: str = "decisions"
    title: str = "Decisions"

    @property
    def status_rows(self) -> list[tuple[str, int]]:
        return [(label, self.counts.get(status, 0)) for status, label in DECIDED.items()]

    @property
    def summary(self) -> str:
        if not self.total:
            return "No idea was planned, shipped or declined in this period."
        parts = ", ".join(
            f"{self.counts.get(s, 0)} {label.lower()}" for s, label in DECIDED.items()
        )
        speed = (
            f"; a first decision took {self.median_days:.0f} days at the median, "
            f"{self.p75_days:.0f} at the 75th percentile"
            if self.median_days is not None
            else ""
        )
        return f"{parts}{speed}."

    def charts(self) -> list[Chart]:
        buckets = self.period.buckets()
        return [
            Chart(
                f"Decisions per {self.period.bucket}",
                [self.period.bucket_label(b) for b in buckets],
                [
                    Series(
                        label, [self.over_time.get(s, {}).get(b, 0) for b in buckets], COLORS[s]
                    )
                    for s, label in DECIDED.items()
                ],
                stacked=True,
                axis="Decisions",
            )
        ]

    def tables(self) -> list[Table]:
        return [
            Table(
                "Decisions in the period",
                ["status", "decisions"],
                [[label, self.counts.get(s, 0)] for s, label in DECIDED.items()],
            ),
            Table(
                "Time from submission to first decision (days)",
                ["ideas", "median", "p75"],
                [[self.decided_ideas, self.median_days, self.p75_days]],
            ),
            Table(
                "Latest decisions",
                ["decided_at", "idea", "category", "from", "to", "by", "explanation"],
                [
                    [
                        timezone.localtime(d.at).strftime("%Y-%m-%d %H:%M"),
                        d.idea_title,
                        d.category,
                        Status(d.from_status).label if d.from_status else "",
                        d.status_label,
                        d.actor,
                        d.explanation,
                    ]
                    for d in self.recent
                ],
            ),
        ]


@dataclass
class Tone:
    scored: int
    unscored: int
    average: float | None
    positive: int
    negative: int

    @property
    def neutral(self) -> int:
        return self.scored - self.positive - self.negative

    @property
    def average_text(self) -> str:
        return signed(self.average)


@dataclass
class SentimentPanel:
    period: Period
    over_time: dict[dt.date, Tone]
    by_segment: dict[str, Tone]
    overall: Tone
    positive_examples: list[Verbatim]
    negative_examples: list[Verbatim]
    key: str = "sentiment"
    title: str = "Advocates or critics"

    @property
    def segment_rows(self) -> list[tuple[str, Tone]]:
        """(segment, tone), the warmest first."""
        ranked = sorted(self.by_segment.items(), key=lambda item: -(item[1].average or 0))
        return [(segment_label(segment), tone) for segment, tone in ranked]

    @property
    def summary(self) -> str:
        o = self.overall
        if not o.scored:
            return "No scored customer comments or signal verbatims in this period."
        return (
            f"{o.scored} texts scored: {o.positive} positive, {o.neutral} neutral, "
            f"{o.negative} negative (average {signed(o.average)} on a −1 to +1 scale)."
        )

    def charts(self) -> list[Chart]:
        buckets = self.period.buckets()
        empty = Tone(0, 0, None, 0, 0)
        tones = [self.over_time.get(b, empty) for b in buckets]
        segments = sorted(self.by_segment, key=lambda s: -(self.by_segment[s].average or 0))
        averages = [round(self.by_segment[s].average or 0, 3) for s in segments]
        return [
            Chart(
                f"Tone per {self.period.bucket}",
                [self.period.bucket_label(b) for b in buckets],
                [
                    Series("Positive", [t.positive for t in tones], COLORS["positive"]),
                    Series("Neutral", [t.neutral for t in tones], COLORS["neutral"]),
                    Series("Negative", [t.negative for t in tones], COLORS["negative"]),
                ],
                stacked=True,
                axis="Comments and verbatims",
            ),
            Chart(
                "Average tone by segment",
                [segment_label(s) for s in segments],
                [
                    Series(
                        "Average sentiment",
                        averages,
                        COLORS["primary"],
                        [COLORS["positive"] if a >= 0 else COLORS["negative"] for a in averages],
                    )
                ],
                horizontal=True,
                axis="−1 (critical) to +1 (enthusiastic)",
            ),
        ]

    def tables(self) -> list[Table]:
        buckets = self.period.buckets()
        columns = ["scored", "average", "positive", "neutral", "negative"]

        def figures(t: Tone) -> list[Any]:
            average = round(t.average, 4) if t.average is not None else None
            return [t.scored, average, t.positive, t.neutral, t.negative]

        return [
            Table(
                f"Tone per {self.period.bucket}",
                [self.period.bucket, *columns],
                [[b, *figures(self.over_time[b])] for b in buckets if b in self.over_time],
            ),
            Table(
                "Tone by segment",
                ["segment", *columns],
                [[segment_label(s), *figures(t)] for s, t in sorted(self.by_segment.items())],
            ),
            Table(
                "Most positive and most negative",
                ["tone", "sentiment", "heard_on", "account", "segment", "text"],
                [
                    [tone, v.sentiment, v.heard_on, v.account, v.segment, v.text]
                    for tone, examples in (
                        ("positive", self.positive_examples),
                        ("negative", self.negative_examples),
                    )
                    for v in examples
                ],
            ),
        ]


@dataclass
class Insights:
    query: InsightsQuery
    generated_at: dt.datetime
    categories: dict[str, str]  # slug -> name, for describing the filters
    top: TopIdeasPanel
    movers: MoversPanel
    interest: InterestPanel
    chatter: ChatterPanel
    mesh: MeshPanel
    decisions: DecisionsPanel
    sentiment: SentimentPanel
    # The panels' HTML as the page rendered it, by template: every later view of the same
    # figures reuses it (rendering them costs ten times reading them; see remember_html).
    rendered: dict[str, str] = field(default_factory=dict)

    @property
    def panels(self) -> list[Any]:
        return [
            self.top,
            self.movers,
            self.interest,
            self.chatter,
            self.mesh,
            self.decisions,
            self.sentiment,
        ]

    @property
    def filters(self) -> list[tuple[str, str]]:
        return self.query.filters.described(self.categories)

    @property
    def description(self) -> str:
        """The period, the comparison and the filters in one line."""
        period = self.query.period
        text = f"{period} ({period.days} days), compared with {period.previous}"
        if self.filters:
            text += "; " + ", ".join(f"{name}: {value}" for name, value in self.filters)
        return text

    @property
    def demand_change(self) -> float | None:
        previous = self.movers.previous
        return (self.movers.current - previous) / previous if previous else None

    def compact(self) -> Insights:
        """What every view of this question reads, without the changes none of them lists:
        small enough to cache (a year at 100,000 ideas: ~20 MB pickled in full)."""
        return replace(self, movers=self.movers.compact())


# SQL. Constant text with bound parameters only: filters compare against '' when unused,
# which PostgreSQL folds away at plan time, so no SQL is ever assembled from input.

# Demand: votes and routed signals for listed ideas, in both periods, with the account they
# came from. Votes count by the voter's account now; signals by the account's snapshot when
# heard, so a later change of plan or segment doesn't rewrite history. ARR is the account's
# current ARR (as on the board), so an account has one ARR however often it asked.
DEMAND = """
WITH ev AS (
    SELECT 'vote' AS kind, v.idea_id, u.account_id,
           (v.created_at AT TIME ZONE %(tz)s)::date AS day,
           NULLIF(a.segment, '') AS segment, a.region, a.plan, a.lifecycle, a.arr,
           NULL::varchar AS importance, NULL::varchar AS deal_stage,
           NULL::numeric AS opportunity_value
      FROM ideas_vote v
      JOIN portal_user u ON u.id = v.user_id
      LEFT JOIN ideas_account a ON a.id = u.account_id
     WHERE v.created_at >= %(prev_since)s AND v.created_at < %(until)s
    UNION ALL
    SELECT 'signal', s.idea_id, s.account_id, s.heard_on,
           NULLIF(s.account_segment, ''), s.account_region, s.account_plan,
           s.account_lifecycle, a.arr, s.importance, s.deal_stage, s.opportunity_value
      FROM ideas_signal s
      LEFT JOIN ideas_account a ON a.id = s.account_id
     WHERE s.idea_id IS NOT NULL AND s.heard_on >= %(prev_start)s AND s.heard_on <= %(end)s
),
demand AS (
    SELECT ev.*, i.category_id, ev.day >= %(start)s AS is_current
      FROM ev
      JOIN ideas_idea i ON i.id = ev.idea_id
      LEFT JOIN ideas_category c ON c.id = i.category_id
     WHERE i.merged_into_id IS NULL
       AND (%(segment)s = '' OR ev.segment = %(segment)s)
       AND (%(region)s = '' OR ev.region = %(region)s)
       AND (%(plan)s = '' OR ev.plan = %(plan)s)
       AND (%(lifecycle)s = '' OR ev.lifecycle = %(lifecycle)s)
       AND (%(category)s = '' OR c.slug = %(category)s)
)
"""

# Both periods side by side for every idea, category, tag and category × segment cell. The
# events are first rolled up per idea and segment (a few thousand rows however many events),
# so the raw rows are read once and never spilled to disk, and tags multiply only the roll-up.
DEMAND_CHANGES = (
    DEMAND  # noqa: S608 - constant fragments; values are bound parameters
    + """
, rollup AS (
    SELECT idea_id, category_id, COALESCE(segment, '') AS segment,
           COUNT(*) FILTER (WHERE is_current) AS cur,
           COUNT(*) FILTER (WHERE NOT is_current) AS prev,
           COALESCE(SUM(arr) FILTER (WHERE is_current), 0) AS cur_arr,
           COALESCE(SUM(arr) FILTER (WHERE NOT is_current), 0) AS prev_arr
      FROM demand
     GROUP BY idea_id, category_id, COALESCE(segment, '')
),
totals AS (
    SELECT CASE GROUPING(idea_id, category_id, segment)
             WHEN 7 THEN 'all' WHEN 3 THEN 'idea' WHEN 5 THEN 'category' ELSE 'cell' END AS dim,
           COALESCE(idea_id, category_id) AS key,
           CASE WHEN GROUPING(segment) = 0 THEN segment END AS segment,
           SUM(cur)::bigint AS cur, SUM(prev)::bigint AS prev,
           SUM(cur_arr) AS cur_arr, SUM(prev_arr) AS prev_arr
      FROM rollup
     GROUP BY GROUPING SETS ((), (idea_id), (category_id), (category_id, segment))
    UNION ALL
    SELECT 'tag', t.tag_id, NULL, SUM(r.cur)::bigint, SUM(r.prev)::bigint,
           SUM(r.cur_arr), SUM(r.prev_arr)
      FROM rollup r JOIN ideas_idea_tags t ON t.idea_id = r.idea_id
     GROUP BY t.tag_id
)
SELECT t.dim, t.key, t.segment,
       CASE t.dim WHEN 'idea' THEN i.title WHEN 'tag' THEN tg.name ELSE c.name END AS label,
       i.slug, t.cur, t.prev, t.cur_arr, t.prev_arr
  FROM totals t
  LEFT JOIN ideas_idea i ON t.dim = 'idea' AND i.id = t.key
  LEFT JOIN ideas_tag tg ON t.dim = 'tag' AND tg.id = t.key
  LEFT JOIN ideas_category c ON t.dim IN ('category', 'cell') AND c.id = t.key
"""
)

# The current period only, rolled up per idea and account first: an account counts once per
# idea (its ARR once, however many votes and signals it sent), its open deal once (its
# largest: several reps often log the same deal), and once across all ideas for the headline.
TOP_IDEAS_SQL = (
    DEMAND  # noqa: S608 - constant fragments; values are bound parameters
    + """
, pairs AS (
    SELECT idea_id, account_id,
           COUNT(*) FILTER (WHERE kind = 'vote') AS votes,
           COUNT(*) FILTER (WHERE kind = 'signal') AS signals,
           COUNT(*) FILTER (WHERE importance = 'deal_breaker') AS deal_breakers,
           MAX(opportunity_value) FILTER (WHERE deal_stage IN ('prospect', 'open')
                                            AND account_id IS NOT NULL) AS open_value
      FROM demand
     WHERE is_current
     GROUP BY idea_id, account_id
),
ranked AS (
    SELECT p.idea_id, SUM(p.votes)::bigint AS votes, SUM(p.signals)::bigint AS signals,
           SUM(p.deal_breakers)::bigint AS deal_breakers,
           COUNT(p.account_id) AS accounts, COALESCE(SUM(a.arr), 0) AS arr,
           COUNT(p.open_value) AS open_deals, COALESCE(SUM(p.open_value), 0) AS open_value
      FROM pairs p
      LEFT JOIN ideas_account a ON a.id = p.account_id
     GROUP BY p.idea_id
     ORDER BY COALESCE(SUM(a.arr), 0) + COALESCE(SUM(p.open_value), 0) DESC,
              SUM(p.deal_breakers) DESC, p.idea_id
     LIMIT %(limit)s
),
headline AS (
    SELECT COUNT(*) AS accounts, COALESCE(SUM(a.arr), 0) AS arr,
           (SELECT COALESCE(SUM(deal_breakers), 0)::bigint FROM pairs) AS deal_breakers
      FROM (SELECT DISTINCT account_id FROM pairs WHERE account_id IS NOT NULL) x
      JOIN ideas_account a ON a.id = x.account_id
)
SELECT h.accounts AS all_accounts, h.arr AS all_arr, h.deal_breakers AS all_deal_breakers,
       r.idea_id, i.title, i.slug, i.status, c.name, r.votes, r.signals, r.deal_breakers,
       r.accounts, r.arr, r.open_deals, r.open_value
  FROM headline h
  LEFT JOIN ranked r ON true
  LEFT JOIN ideas_idea i ON i.id = r.idea_id
  LEFT JOIN ideas_category c ON c.id = i.category_id
 ORDER BY r.arr + r.open_value DESC, r.deal_breakers DESC, r.idea_id
"""
)

# Signals of the chatter kinds in the current period, routed or not. Category narrows them to
# signals linked to an idea in it.
CHATTER = """
WITH ch AS (
    SELECT s.kind, NULLIF(btrim(s.competitor), '') AS competitor,
           NULLIF(s.account_segment, '') AS segment,
           date_trunc(%(bucket)s, s.heard_on::timestamp)::date AS bucket
      FROM ideas_signal s
      LEFT JOIN ideas_idea i ON i.id = s.idea_id
      LEFT JOIN ideas_category c ON c.id = i.category_id
     WHERE s.kind IN ('competitor', 'pricing', 'loss_reason')
       AND s.heard_on >= %(start)s AND s.heard_on <= %(end)s
       AND (%(segment)s = '' OR s.account_segment = %(segment)s)
       AND (%(region)s = '' OR s.account_region = %(region)s)
       AND (%(plan)s = '' OR s.account_plan = %(plan)s)
       AND (%(lifecycle)s = '' OR s.account_lifecycle = %(lifecycle)s)
       AND (%(category)s = '' OR c.slug = %(category)s)
),
names AS (
    -- "Asana" and "asana " are one competitor, named as most reps spell it; the most
    -- mentioned competitors get their own series.
    SELECT lower(competitor) AS key,
           mode() WITHIN GROUP (ORDER BY competitor) AS name, COUNT(*) AS n,
           ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, lower(competitor)) AS rank
      FROM ch WHERE kind = 'competitor' AND competitor IS NOT NULL
     GROUP BY lower(competitor)
),
labelled AS (
    SELECT ch.kind, ch.segment, ch.bucket,
           CASE WHEN ch.kind = 'competitor' AND n.rank <= %(top)s THEN n.name ELSE '' END
             AS competitor
      FROM ch LEFT JOIN names n ON n.key = lower(ch.competitor)
)
SELECT CASE GROUPING(bucket, segment, competitor)
         WHEN 2 THEN 'time' WHEN 5 THEN 'segment' ELSE 'total' END AS part,
       bucket, COALESCE(segment, '') AS segment, kind, competitor, COUNT(*) AS n
  FROM labelled
 GROUP BY GROUPING SETS ((bucket, kind, competitor), (segment, kind), (kind))
UNION ALL
SELECT 'name', NULL, '', 'competitor', name, n FROM names
"""

CHATTER_VERBATIMS = """
SELECT kind, verbatim, heard_on, account, segment, competitor, idea_id, title, slug, sentiment
  FROM (
    SELECT s.kind, s.verbatim, s.heard_on, COALESCE(a.name, '') AS account,
           s.account_segment AS segment, btrim(s.competitor) AS competitor,
           i.id AS idea_id, i.title, i.slug, s.sentiment,
           ROW_NUMBER() OVER (PARTITION BY s.kind ORDER BY s.heard_on DESC, s.id DESC) AS rn
      FROM ideas_signal s
      LEFT JOIN ideas_account a ON a.id = s.account_id
      LEFT JOIN ideas_idea i ON i.id = s.idea_id
      LEFT JOIN ideas_category c ON c.id = i.category_id
     WHERE s.kind IN ('competitor', 'pricing', 'loss_reason')
       AND s.heard_on >= %(start)s AND s.heard_on <= %(end)s
       AND (%(segment)s = '' OR s.account_segment = %(segment)s)
       AND (%(region)s = '' OR s.account_region = %(region)s)
       AND (%(plan)s = '' OR s.account_plan = %(plan)s)
       AND (%(lifecycle)s = '' OR s.account_lifecycle = %(lifecycle)s)
       AND (%(category)s = '' OR c.slug = %(category)s)
  ) x
 WHERE rn <= %(per_kind)s
 ORDER BY kind, rn
"""

# Every piece of evidence in the period by where it came from: customers on the forum (ideas,
# public comments, votes), sales (signals they captured, ideas they raised, their votes) and
# the company's other people. Then, per source, the ideas it backed and their latest decision
# by the end of the period.
MESH = """
WITH mesh AS (
    SELECT CASE u.role WHEN 'customer' THEN 'customer' WHEN 'sales' THEN 'sales'
                ELSE 'staff' END AS source,
           v.idea_id, (v.created_at AT TIME ZONE %(tz)s)::date AS day,
           a.segment, a.region, a.plan, a.lifecycle
      FROM ideas_vote v
      JOIN portal_user u ON u.id = v.user_id
      LEFT JOIN ideas_account a ON a.id = u.account_id
     WHERE v.created_at >= %(since)s AND v.created_at < %(until)s
    UNION ALL
    SELECT i.source, i.id, (i.created_at AT TIME ZONE %(tz)s)::date,
           a.segment, a.region, a.plan, a.lifecycle
      FROM ideas_idea i
      LEFT JOIN ideas_account a ON a.id = i.account_id
     WHERE i.created_at >= %(since)s AND i.created_at < %(until)s
    UNION ALL
    SELECT CASE u.role WHEN 'customer' THEN 'customer' WHEN 'sales' THEN 'sales'
                ELSE 'staff' END,
           cm.idea_id, (cm.created_at AT TIME ZONE %(tz)s)::date,
           a.segment, a.region, a.plan, a.lifecycle
      FROM ideas_comment cm
      JOIN portal_user u ON u.id = cm.author_id
      LEFT JOIN ideas_account a ON a.id = u.account_id
     WHERE NOT cm.is_internal AND cm.created_at >= %(since)s AND cm.created_at < %(until)s
    UNION ALL
    SELECT CASE WHEN u.role IN ('staff', 'pm', 'admin') THEN 'staff' ELSE 'sales' END,
           s.idea_id, s.heard_on, s.account_segment, s.account_region, s.account_plan,
           s.account_lifecycle
      FROM ideas_signal s
      LEFT JOIN portal_user u ON u.id = s.captured_by_id
     WHERE s.heard_on >= %(start)s AND s.heard_on <= %(end)s
),
filtered AS (
    SELECT m.source, m.idea_id, date_trunc(%(bucket)s, m.day::timestamp)::date AS bucket
      FROM mesh m
      LEFT JOIN ideas_idea i ON i.id = m.idea_id
      LEFT JOIN ideas_category c ON c.id = i.category_id
     WHERE (%(segment)s = '' OR m.segment = %(segment)s)
       AND (%(region)s = '' OR m.region = %(region)s)
       AND (%(plan)s = '' OR m.plan = %(plan)s)
       AND (%(lifecycle)s = '' OR m.lifecycle = %(lifecycle)s)
       AND (%(category)s = '' OR c.slug = %(category)s)
),
grouped AS (
    -- One pass over the raw rows for both answers: evidence per (source, bucket), and the
    -- ideas each source backed. Without a category filter nothing here joins the ideas, so
    -- PostgreSQL drops that join; merged ideas are left out below, per idea, not per event.
    SELECT source, bucket, idea_id, GROUPING(bucket) AS per_idea, COUNT(*) AS n
      FROM filtered
     GROUP BY GROUPING SETS ((source, bucket), (source, idea_id))
),
backed AS (
    SELECT g.source, g.idea_id FROM grouped g
      JOIN ideas_idea i ON i.id = g.idea_id
     WHERE g.per_idea = 1 AND i.merged_into_id IS NULL
),
latest AS (
    -- Every idea's latest decision by the end of the period, once, hashed: a year backs
    -- ~160,000 (source, idea) pairs, too many to look each one up.
    SELECT DISTINCT ON (sc.idea_id) sc.idea_id, sc.to_status
      FROM ideas_statuschange sc
     WHERE sc.kind = 'status'
       AND sc.to_status IN ('planned', 'in_progress', 'shipped', 'declined')
       AND sc.created_at < %(until)s
     ORDER BY sc.idea_id, sc.created_at DESC, sc.id DESC
),
outcome AS (
    SELECT b.source, b.idea_id, d.to_status
      FROM backed b
      LEFT JOIN latest d ON d.idea_id = b.idea_id
)
SELECT CASE GROUPING(bucket) WHEN 0 THEN 'time' ELSE 'total' END AS part,
       bucket, source, SUM(n)::bigint AS n, NULL::bigint AS adopted, NULL::bigint AS declined
  FROM grouped WHERE per_idea = 0 GROUP BY GROUPING SETS ((bucket, source), (source))
UNION ALL
SELECT 'outcome', NULL, source, COUNT(*),
       COUNT(*) FILTER (WHERE to_status IN ('planned', 'in_progress', 'shipped')),
       COUNT(*) FILTER (WHERE to_status = 'declined')
  FROM outcome GROUP BY source
"""

# Decisions: changes of status into planned, shipped or declined. Account filters keep the
# ideas with a vote or signal from a matching account (as the board does).
DECISION_FILTER = """
       AND (%(category)s = '' OR c.slug = %(category)s)
       -- Uncorrelated IN lists: PostgreSQL builds each once and hashes it, instead of
       -- probing votes and users again for every decision.
       AND (NOT %(by_account)s
            OR i.id IN (
                SELECT s.idea_id FROM ideas_signal s
                 WHERE s.idea_id IS NOT NULL
                   AND (%(segment)s = '' OR s.account_segment = %(segment)s)
                   AND (%(region)s = '' OR s.account_region = %(region)s)
                   AND (%(plan)s = '' OR s.account_plan = %(plan)s)
                   AND (%(lifecycle)s = '' OR s.account_lifecycle = %(lifecycle)s))
            OR i.id IN (
                SELECT v.idea_id FROM ideas_vote v
                 WHERE v.user_id IN (
                    SELECT vu.id FROM portal_user vu
                      JOIN ideas_account a ON a.id = vu.account_id
                     WHERE (%(segment)s = '' OR a.segment = %(segment)s)
                       AND (%(region)s = '' OR a.region = %(region)s)
                       AND (%(plan)s = '' OR a.plan = %(plan)s)
                       AND (%(lifecycle)s = '' OR a.lifecycle = %(lifecycle)s))))
"""

DECISIONS_RECENT = (
    """
SELECT sc.created_at, sc.to_status, sc.from_status, sc.explanation, i.id, i.title, i.slug,
       COALESCE(c.name, ''), COALESCE(NULLIF(u.name, ''), split_part(u.email, '@', 1), '')
  FROM ideas_statuschange sc
  JOIN ideas_idea i ON i.id = sc.idea_id
  LEFT JOIN ideas_category c ON c.id = i.category_id
  LEFT JOIN portal_user u ON u.id = sc.actor_id
 WHERE sc.kind = 'status' AND sc.to_status IN ('planned', 'shipped', 'declined')
   AND sc.created_at >= %(since)s AND sc.created_at < %(until)s
"""
    + DECISION_FILTER
    + """
 ORDER BY sc.created_at DESC, sc.id DESC
 LIMIT %(limit)s
"""
)

DECISIONS_DECIDED = """
WITH decided AS (
    SELECT sc.idea_id, sc.to_status, sc.created_at,
           date_trunc(%(bucket)s, (sc.created_at AT TIME ZONE %(tz)s))::date AS bucket,
           i.created_at AS submitted_at,
           -- The idea's first decision ever: only those count towards time to decide.
           NOT EXISTS (
             SELECT 1 FROM ideas_statuschange e
              WHERE e.idea_id = sc.idea_id AND e.kind = 'status'
                AND e.to_status IN ('planned', 'shipped', 'declined')
                AND (e.created_at, e.id) < (sc.created_at, sc.id)
           ) AS first
      FROM ideas_statuschange sc
      JOIN ideas_idea i ON i.id = sc.idea_id
      LEFT JOIN ideas_category c ON c.id = i.category_id
     WHERE sc.kind = 'status' AND sc.to_status IN ('planned', 'shipped', 'declined')
       AND sc.created_at >= %(since)s AND sc.created_at < %(until)s
"""

DECISION_FIGURES = (
    DECISIONS_DECIDED  # noqa: S608 - constant fragments; values are bound parameters
    + DECISION_FILTER
    + """
)
SELECT CASE GROUPING(bucket) WHEN 0 THEN 'time' ELSE 'total' END AS part,
       bucket, to_status, COUNT(*) AS n, NULL::float8 AS median, NULL::float8 AS p75
  FROM decided GROUP BY GROUPING SETS ((bucket, to_status), (to_status))
UNION ALL
SELECT 'latency', NULL, NULL, COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY days)
  FROM (SELECT EXTRACT(EPOCH FROM created_at - submitted_at) / 86400.0 AS days
          FROM decided WHERE first) f
"""
)

# What customers and prospects said: public comments by customers and signal verbatims.
# The company's own replies are left out: they would only make the forum look cheerful.
TEXTS = """
WITH texts AS (
    SELECT 'comment' AS source, cm.sentiment, (cm.created_at AT TIME ZONE %(tz)s)::date AS day,
           a.segment, a.region, a.plan, a.lifecycle, cm.idea_id, cm.body AS text,
           COALESCE(a.name, '') AS account
      FROM ideas_comment cm
      JOIN portal_user u ON u.id = cm.author_id
      LEFT JOIN ideas_account a ON a.id = u.account_id
     WHERE NOT cm.is_internal AND u.role = 'customer'
       AND cm.created_at >= %(since)s AND cm.created_at < %(until)s
    UNION ALL
    SELECT 'signal', s.sentiment, s.heard_on, s.account_segment, s.account_region,
           s.account_plan, s.account_lifecycle, s.idea_id, s.verbatim, COALESCE(a.name, '')
      FROM ideas_signal s
      LEFT JOIN ideas_account a ON a.id = s.account_id
     WHERE s.heard_on >= %(start)s AND s.heard_on <= %(end)s
),
filtered AS (
    SELECT t.*, NULLIF(t.segment, '') AS seg,
           date_trunc(%(bucket)s, t.day::timestamp)::date AS bucket
      FROM texts t
      LEFT JOIN ideas_idea i ON i.id = t.idea_id
      LEFT JOIN ideas_category c ON c.id = i.category_id
     WHERE (%(segment)s = '' OR t.segment = %(segment)s)
       AND (%(region)s = '' OR t.region = %(region)s)
       AND (%(plan)s = '' OR t.plan = %(plan)s)
       AND (%(lifecycle)s = '' OR t.lifecycle = %(lifecycle)s)
       AND (%(category)s = '' OR c.slug = %(category)s)
)
"""

SENTIMENT = (
    TEXTS
    + """
SELECT CASE GROUPING(bucket, seg) WHEN 1 THEN 'time' WHEN 2 THEN 'segment' ELSE 'total' END,
       bucket, COALESCE(seg, ''), COUNT(sentiment), COUNT(*) - COUNT(sentiment),
       AVG(sentiment), COUNT(*) FILTER (WHERE sentiment >= %(positive)s),
       COUNT(*) FILTER (WHERE sentiment <= %(negative)s)
  FROM filtered
 GROUP BY GROUPING SETS ((bucket), (seg), ())
"""
)

SENTIMENT_EXAMPLES_SQL = (
    TEXTS  # noqa: S608 - constant fragments; values are bound parameters
    + """
(SELECT 'positive' AS tone, source, left(text, 600), day, account, COALESCE(seg, ''), sentiment
   FROM filtered WHERE sentiment >= %(positive)s
  ORDER BY sentiment DESC, day DESC LIMIT %(examples)s)
UNION ALL
(SELECT 'negative', source, left(text, 600), day, account, COALESCE(seg, ''), sentiment
   FROM filtered WHERE sentiment <= %(negative)s
  ORDER BY sentiment ASC, day DESC LIMIT %(examples)s)
"""
)


def fetch(sql: str, params: dict[str, Any]) -> list[tuple]:
    return list(fetch_iter(sql, params))


def fetch_iter(sql: str, params: dict[str, Any], chunk: int = 2000) -> Iterator[tuple]:
    """The rows, made into Python tuples a chunk at a time: a result of 100,000 rows then
    never lives in a worker's memory all at once (only in libpq's, which is freed whole)."""
    from portal.routers import read_alias

    # The read replica when the insights views run with one (portal/routers.py).
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows


# Building the panels.


def segment_label(value: str | None) -> str:
    if not value:
        return NO_SEGMENT
    try:
        return str(Segment(value).label)
    except ValueError:
        return value


def idea_url(pk: int | None, slug: str | None) -> str:
    if pk is None:
        return ""
    return reverse("ideas:detail", kwargs={"pk": pk, "slug": slug or "idea"})


def money_text(value: Decimal | float | None) -> str:
    from ideas.templatetags.lode import money_short

    return money_short(value)


def demand_changes(query: InsightsQuery) -> dict[str, Any]:
    """Every family of changes, tested, and the category × segment cells, in one query."""
    rows = fetch_iter(DEMAND_CHANGES, query.params())
    families: dict[str, list[Change]] = {"idea": [], "category": [], "tag": []}
    cells: dict[tuple[Any, str], Change] = {}
    overall = Change("all", "All demand", 0, 0)
    # A year has a row for nearly every idea, most with too few events to test. Such a
    # change is never flagged, so it can only be shown among the largest unflagged ones:
    # keeping the MOVERS_SHOWN largest (in movers()'s order) shows the same (up to the order
    # of exact ties: same title, same change), and a worker holds a few thousand changes
    # instead of 100,000.
    untested: list[tuple[float, str, Change]] = []
    for dim, key, segment, label, slug, cur, prev, cur_arr, prev_arr in rows:
        change = Change(
            key=key,
            label=label or (UNCATEGORISED if dim in ("category", "cell") else ""),
            current=cur,
            previous=prev,
            current_arr=cur_arr,
            previous_arr=prev_arr,
            slug=(slug or "") if dim == "idea" else None,
            by_arr=query.by_arr,
        )
        if dim == "all":
            overall = change
        elif dim == "cell":
            cells[(key, segment)] = change
        elif dim == "idea" and cur + prev < MIN_EVENTS:
            if change.delta:  # movers() never shows an unflagged change of 0
                untested.append((-abs(change.delta), str(change.label), change))
                if len(untested) > 8 * MOVERS_SHOWN:
                    untested = sorted(untested, key=_mover_order)[:MOVERS_SHOWN]
            continue
        else:
            families[dim].append(change)
    families["idea"] += [change for *_, change in sorted(untested, key=_mover_order)]
    for family in families.values():
        test_changes(family)
    return {"families": families, "cells": cells, "overall": overall}


def _mover_order(item: tuple[float, str, Change]) -> tuple[float, str]:
    return item[0], item[1]


def top_ideas(query: InsightsQuery) -> TopIdeasPanel:
    rows = fetch(TOP_IDEAS_SQL, {**query.params(), "limit": TOP_IDEAS})
    ideas = [
        TopIdea(
            pk=row[3],
            title=row[4],
            url=idea_url(row[3], row[5]),
            status=row[6],
            category=row[7] or UNCATEGORISED,
            votes=row[8],
            signals=row[9],
            deal_breakers=row[10],
            accounts=row[11],
            arr=row[12],
            open_deals=row[13],
            open_value=row[14],
        )
        for row in rows
        if row[3] is not None
    ]
    accounts, arr, deal_breakers = rows[0][:3] if rows else (0, Decimal(0), 0)
    return TopIdeasPanel(ideas, accounts, arr, deal_breakers)


def interest(
    query: InsightsQuery, cells: dict[tuple[Any, str], Change], categories: list[tuple[Any, str]]
) -> InterestPanel:
    present = {segment for (_, segment), c in cells.items() if c.current or c.previous}
    segments = [(value, str(label)) for value, label in Segment.choices if value in present]
    if "" in present:
        segments.append(("", NO_SEGMENT))
    category_ids = {category for category, _ in cells}
    rows = [(pk, name) for pk, name in categories if pk in category_ids]
    if None in category_ids:
        rows.append((None, UNCATEGORISED))
    focus = query.focus or query.filters.segment
    if not focus:
        # The segment that asked the most this period: the one an executive asks about first.
        totals: dict[str, float] = defaultdict(float)
        for (_, segment), change in cells.items():
            if segment:
                totals[segment] += change.current_value
        focus = max(totals, key=lambda s: (totals[s], s), default="")
    focus_changes = [
        Change(
            key=category,
            label=c.label,
            current=c.current,
            previous=c.previous,
            current_arr=c.current_arr,
            previous_arr=c.previous_arr,
            by_arr=query.by_arr,
        )
        for (category, segment), c in cells.items()
        if segment == focus
    ]
    test_changes(focus_changes)
    return InterestPanel(rows, segments, cells, focus, focus_changes, by_arr=query.by_arr)


def chatter(query: InsightsQuery) -> ChatterPanel:
    params = {**query.params(), "top": TOP_COMPETITORS}
    over_time: dict[tuple[str, str], dict[dt.date, int]] = defaultdict(dict)
    by_segment: dict[str, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = {}
    competitors: list[tuple[str, int]] = []
    for part, bucket, segment, kind, competitor, n in fetch(CHATTER, params):
        if part == "time":
            over_time[(kind, competitor)][bucket] = n
        elif part == "segment":
            by_segment[segment][kind] = n
        elif part == "total":
            totals[kind] = n
        else:
            competitors.append((competitor, n))
    competitors.sort(key=lambda item: (-item[1], item[0].lower()))
    verbatims: dict[str, list[Verbatim]] = defaultdict(list)
    rows = fetch(CHATTER_VERBATIMS, {**params, "per_kind": VERBATIMS_PER_KIND})
    for kind, text, heard_on, account, segment, competitor, pk, title, slug, tone in rows:
        verbatims[kind].append(
            Verbatim(
                kind=kind,
                text=text,
                heard_on=heard_on,
                account=account,
                segment=segment_label(segment),
                competitor=competitor or "",
                idea_title=title or "",
                idea_url=idea_url(pk, slug),
                sentiment=tone,
            )
        )
    return ChatterPanel(
        query.period, dict(over_time), dict(by_segment), totals, competitors, dict(verbatims)
    )


def mesh(query: InsightsQuery) -> MeshPanel:
    over_time: dict[str, dict[dt.date, int]] = defaultdict(dict)
    totals: dict[str, int] = {}
    outcomes = {source: SourceOutcome(source, 0, 0, 0) for source in MESH_SOURCES}
    for part, bucket, source, n, adopted, declined in fetch(MESH, query.params()):
        if part == "time":
            over_time[source][bucket] = n
        elif part == "total":
            totals[source] = n
        else:
            outcomes[source] = SourceOutcome(source, n, adopted, declined)
    return MeshPanel(query.period, dict(over_time), totals, list(outcomes.values()))


def decisions(query: InsightsQuery) -> DecisionsPanel:
    params = {**query.params(), "limit": DECISIONS_SHOWN}
    over_time: dict[str, dict[dt.date, int]] = defaultdict(dict)
    counts: dict[str, int] = {}
    decided, median, p75 = 0, None, None
    for part, bucket, status, n, part_median, part_p75 in fetch(DECISION_FIGURES, params):
        if part == "time":
            over_time[status][bucket] = n
        elif part == "total":
            counts[status] = n
        else:
            decided, median, p75 = n, part_median, part_p75
    recent = [
        Decision(
            at=at,
            status=status,
            from_status=from_status,
            explanation=explanation,
            idea_title=title,
            idea_url=idea_url(pk, slug),
            category=category or UNCATEGORISED,
            actor=actor,
        )
        for at, status, from_status, explanation, pk, title, slug, category, actor in fetch(
            DECISIONS_RECENT, params
        )
    ]
    return DecisionsPanel(
        query.period,
        dict(over_time),
        counts,
        decided,
        median,
        p75,
        recent,
        total=sum(counts.values()),
    )


def sentiment(query: InsightsQuery) -> SentimentPanel:
    params = {
        **query.params(),
        "positive": POSITIVE,
        "negative": NEGATIVE,
        "examples": SENTIMENT_EXAMPLES,
    }
    over_time: dict[dt.date, Tone] = {}
    by_segment: dict[str, Tone] = {}
    overall = Tone(0, 0, None, 0, 0)
    for part, bucket, segment, scored, unscored, average, positive, negative in fetch(
        SENTIMENT, params
    ):
        tone = Tone(scored, unscored, average, positive, negative)
        if part == "time":
            over_time[bucket] = tone
        elif part == "segment":
            by_segment[segment] = tone
        else:
            overall = tone
    examples: dict[str, list[Verbatim]] = {"positive": [], "negative": []}
    for tone, source, text, day, account, segment, score in fetch(SENTIMENT_EXAMPLES_SQL, params):
        examples[tone].append(
            Verbatim(
                kind=source,
                text=text,
                heard_on=day,
                account=account,
                segment=segment_label(segment),
                sentiment=score,
            )
        )
    return SentimentPanel(
        query.period, over_time, by_segment, overall, examples["positive"], examples["negative"]
    )


def category_choices() -> list[tuple[int, str, str]]:
    """(id, slug, name) of every category, in the portal's order: one query."""
    from ideas.models import Category

    return list(Category.objects.order_by("position", "name").values_list("pk", "slug", "name"))


def compute(
    query: InsightsQuery, categories: Sequence[tuple[int, str, str]] | None = None
) -> Insights:
    """Every panel for this question, in a fixed number of queries whatever the data size:
    demand changes, top ideas, chatter and its verbatims, the mesh, decisions (figures and
    the latest), sentiment (figures and examples), plus categories unless given; in one
    transaction with more memory for sorts and hashes."""
    from portal.routers import read_alias

    alias = read_alias()
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            # A year's roll-ups hash and sort in memory instead of spilling to disk: ~15%
            # faster at 100,000 ideas (docs/performance.md). LOCAL: this transaction only.
            cursor.execute("SET LOCAL work_mem = %s", [WORK_MEM])
        return _compute(query, categories)


def _compute(query: InsightsQuery, categories: Sequence[tuple[int, str, str]] | None) -> Insights:
    # "As of": when the first query reads the data, not when the last one returns.
    started = timezone.now()
    if categories is None:
        categories = category_choices()
    demand = demand_changes(query)
    families = demand["families"]
    overall = demand["overall"]
    return Insights(
        query=query,
        generated_at=started,
        categories={slug: name for _, slug, name in categories},
        top=top_ideas(query),
        movers=MoversPanel(
            families["idea"],
            families["category"],
            families["tag"],
            current=overall.current,
            previous=overall.previous,
            by_arr=query.by_arr,
        ),
        interest=interest(query, demand["cells"], [(pk, name) for pk, _, name in categories]),
        chatter=chatter(query),
        mesh=mesh(query),
        decisions=decisions(query),
        sentiment=sentiment(query),
    )


# Cached figures. A year at 100,000 ideas and a million votes takes seconds to aggregate
# (docs/performance.md), so the page, the report and the exports read the figures from
# Django's cache (settings.CACHES, shared by every app server) and say how old they are:
#
# - an entry lives MAX_AGE seconds: the longest a vote, a signal or a decision can stay out
#   of the figures, unless a PM asks for fresh ones (`refresh`, the page's "Refresh now");
# - reading an entry older than REFRESH_AFTER queues a recomputation (once) for the worker,
#   and `manage.py refresh_insights` (cron, every few minutes) queues the preset periods, so
#   the presets are recomputed before they expire and nobody waits for them;
# - a miss (a filtered question nobody asked for lately, a fresh cache) computes at once.
#
# The figures do not depend on who asks: every view checks `can_view_insights` before it
# reads the cache, and the key holds nothing but the question, so a hit can never show one
# person's data to someone else; customers and visitors never get this far.

CACHE_PREFIX = "lode:insights"
# Bump when Insights or its panels change shape, so an old pickle is never read back.
CACHE_VERSION = 2
MAX_AGE = 10 * 60
REFRESH_AFTER = 5 * 60


def cache_key(query: InsightsQuery, suffix: str = "") -> str:
    """One entry per question: period, filters, measure and focus (and the time zone the
    days are cut in). Validated values only: every distinct question is one entry."""
    filters = query.filters
    parts = (
        CACHE_VERSION,
        timezone.get_current_timezone_name(),
        query.period.start.isoformat(),
        query.period.end.isoformat(),
        filters.segment,
        filters.region,
        filters.plan,
        filters.lifecycle,
        filters.category,
        query.weight,
        query.focus,
    )
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"{CACHE_PREFIX}:{digest}{suffix}"


def age(result: Insights) -> dt.timedelta:
    return timezone.now() - result.generated_at


def store(result: Insights) -> Insights:
    """Cache compacted figures until MAX_AGE after they were read."""
    result = result.compact()
    _put(result)
    return result


def _put(result: Insights) -> None:
    """(Re)write the entry, to expire MAX_AGE after its figures were read."""
    remaining = int(MAX_AGE - age(result).total_seconds())
    try:
        if remaining > 0:
            cache.set(cache_key(result.query), result, remaining)
    except Exception:
        logger.warning("Could not store insights in the cache", exc_info=True)


def remember_html(result: Insights, name: str, html: str) -> None:
    """Keep the panels' HTML with the figures they show, for the rest of the entry's life:
    the figures are the same for everyone who may see them, and so is their HTML (it holds
    no CSRF token, nonce or user). A later recomputation replaces both together."""
    result.rendered[name] = html
    _put(result)


def cached(
    query: InsightsQuery, categories: Sequence[tuple[int, str, str]] | None = None
) -> Insights:
    """The figures for this question, at most MAX_AGE old: from the cache (one query with
    the database cache), else computed now. Callers check `can_view_insights` first."""
    try:
        result = cache.get(cache_key(query))
    except Exception:
        logger.warning("Insights cache unavailable; computing", exc_info=True)
        result = None
    # The entry expires by itself; the age check also holds when a backend keeps it longer.
    if result is None or age(result).total_seconds() > MAX_AGE:
        return store(compute(query, categories))
    if age(result).total_seconds() > REFRESH_AFTER:
        request_refresh(query)
    return result


def refresh(query: InsightsQuery) -> Insights:
    """Compute the figures now and cache them: "Refresh now", and the worker's job."""
    from ideas import tasks

    tasks.running(cache_key(query, ":queued"))  # a change from now on queues the next
    return store(compute(query))


def task_arguments(query: InsightsQuery) -> dict[str, str]:
    """The question as JSON-safe keyword arguments for tasks.refresh_insights."""
    filters = query.filters
    return {
        "start": query.period.start.isoformat(),
        "end": query.period.end.isoformat(),
        "segment": filters.segment,
        "region": filters.region,
        "plan": filters.plan,
        "lifecycle": filters.lifecycle,
        "category": filters.category,
        "weight": query.weight,
        "focus": query.focus,
    }


def query_from_arguments(arguments: dict[str, str]) -> InsightsQuery:
    values = dict(arguments)
    period = Period(
        dt.date.fromisoformat(values.pop("start")), dt.date.fromisoformat(values.pop("end"))
    )
    weight, focus = values.pop("weight", "count"), values.pop("focus", "")
    return InsightsQuery(period, Filters(**values), weight=weight, focus=focus)


def request_refresh(query: InsightsQuery) -> bool:
    """Queue a recomputation of this question for the worker, unless one is queued already
    (for MAX_AGE at most: a lost job does not block the next). True if it queued one."""
    from ideas import tasks

    return tasks.enqueue_once(
        tasks.refresh_insights, cache_key(query, ":queued"), MAX_AGE, **task_arguments(query)
    )


def preset_queries(today: dt.date | None = None) -> list[InsightsQuery]:
    """What the worker keeps warm: the preset periods, unfiltered, counted in events."""
    return [InsightsQuery(Period.last(days, today)) for days in RANGES.values()]


# Sentiment: scored once, when a comment or signal is written (see services.py), so the
# panels aggregate a column instead of running the scorer on every page view.


@functools.cache
def _analyzer() -> Any:
    # VADER's lexicon ships inside the package: no download, works offline.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment_score(text: str) -> float | None:
    """VADER's compound score for a text, from −1 (hostile) to +1 (enthusiastic)."""
    text = (text or "").strip()
    if not text:
        return None
    # Very long texts cost time and say no more about their tone than their start does.
    return round(_analyzer().polarity_scores(text[:SENTIMENT_MAX_CHARS])["compound"], 4)


def backfill_sentiment(batch_size: int = 1000) -> dict[str, int]:
    """Score every comment and signal that has no sentiment yet, in batches of id ranges.

    Safe to re-run and to interrupt: each batch commits on its own and only NULLs are read.
    A text that scores None (blank) stays NULL and is simply read again next time.
    """
    from ideas.models import Comment, Signal

    done = {}
    for model, text_field in ((Comment, "body"), (Signal, "verbatim")):
        scored = 0
        last = 0
        while True:
            rows = list(
                model.objects.filter(sentiment__isnull=True, pk__gt=last)
                .order_by("pk")
                .values_list("pk", text_field)[:batch_size]
            )
            if not rows:
                break
            # One UPDATE per batch (CASE over the ids), not one per row.
            model.objects.bulk_update(
                [model(pk=pk, sentiment=sentiment_score(text)) for pk, text in rows],
                ["sentiment"],
            )
            scored += len(rows)
            last = rows[-1][0]
        done[model._meta.verbose_name_plural] = scored
    return done


# The weekly digest for product managers.

DIGEST_MOVERS_DAYS = 28  # four weeks against the four before: enough events to test
DIGEST_DEAL_BREAKER_DAYS = 7
DIGEST_ITEMS = 5
UNDECIDED = (Status.NEW, Status.UNDER_REVIEW)


@dataclass
class Digest:
    week: dt.date
    period: Period
    rising: list[tuple[str, Change]]  # (level: idea, category or tag; the change)
    cooling: list[tuple[str, Change]]
    deal_breakers: list[Any]  # Signal rows
    undecided: list[Any]  # Idea rows with their evidence
    site_name: str = field(default_factory=lambda: settings.LODE_SITE_NAME)

    @property
    def subject(self) -> str:
        return f"{self.site_name} insights: week of {self.week:%-d %b %Y}"


def week_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s week: the key a digest is sent once for."""
    return day - dt.timedelta(days=day.weekday())


def digest(today: dt.date | None = None) -> Digest:
    """What every PM hears this week: significant movers over four weeks, the deal-breakers
    captured in the last seven days, and the open ideas with most at stake still undecided."""
    from ideas.models import Idea, Signal

    today = today or timezone.localdate()
    period = Period.last(DIGEST_MOVERS_DAYS, today)
    families = demand_changes(InsightsQuery(period))["families"]
    flagged = [
        (level, change)
        for level, name in (("Idea", "idea"), ("Category", "category"), ("Tag", "tag"))
        for change in movers(families[name], None)
        if change.flagged
    ]
    since = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=DIGEST_DEAL_BREAKER_DAYS - 1), dt.time.min)
    )
    deal_breakers = list(
        Signal.objects.filter(importance=Importance.DEAL_BREAKER, created_at__gte=since)
        .select_related("account", "idea", "captured_by")
        .order_by(F("opportunity_value").desc(nulls_last=True), "-created_at")[:DIGEST_ITEMS]
    )
    undecided = list(
        Idea.objects.listed()
        .filter(status__in=UNDECIDED)
        .select_related("evidence", "category")
        .annotate(at_stake=F("evidence__arr") + F("evidence__open_deal_value"))
        .filter(at_stake__gt=0)
        .defer("body", "search_vector")
        .order_by("-at_stake", "pk")[:DIGEST_ITEMS]
    )
    return Digest(
        week=week_of(today),
        period=period,
        rising=[(level, c) for level, c in flagged if c.direction == "rising"][:DIGEST_ITEMS],
        cooling=[(level, c) for level, c in flagged if c.direction == "cooling"][:DIGEST_ITEMS],
        deal_breakers=deal_breakers,
        undecided=undecided,
    )


def absolute(path: str) -> str:
    return settings.LODE_BASE_URL.rstrip("/") + path


def digest_email(user: Any, content: Digest) -> Any:
    """The digest as one email with a text and an HTML part."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    context = {
        "user": user,
        "digest": content,
        "site_name": settings.LODE_SITE_NAME,
        "insights_url": absolute(reverse("ideas:insights")),
        "base_url": settings.LODE_BASE_URL.rstrip("/"),
        "colors": COLORS,
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("emails/insights_digest.subject.txt", context).strip(),
        body=render_to_string("emails/insights_digest.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("emails/insights_digest.html", context), "text/html"
    )
    return message


def digest_recipients() -> Any:
    """Active product managers and admins: the people who decide."""
    from portal.models import TRIAGE_ROLES, User

    return User.objects.filter(is_active=True, role__in=TRIAGE_ROLES).order_by("pk")


def send_digest(*, user_id: int, week: dt.date, today: dt.date | None = None) -> bool:
    """Send one person the digest for `week`, unless it was sent already. True when sent.

    The DigestDelivery row and the email share a transaction: the unique constraint makes a
    second worker wait, then skip; a failed send rolls the row back, so a retry sends it.
    """
    from ideas.models import DigestDelivery

    user = digest_recipients().filter(pk=user_id).first()
    if user is None or DigestDelivery.objects.filter(user=user, week=week).exists():
        return False
    message = digest_email(user, digest(today))
    with transaction.atomic():
        _, created = DigestDelivery.objects.get_or_create(user=user, week=week)
        if not created:
            return False
        message.send()
    return True
