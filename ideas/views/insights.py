"""Insights for executives: the page, the printable report, its CSV and its PowerPoint deck.

Every view reads the same `ideas.insights.Insights` for the same validated question, so the
four can never disagree. PMs, staff and admins only; everyone else gets a 404.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from ideas import insights
from ideas.choices import Lifecycle, Plan, Region, Segment
from ideas.permissions import can_view_insights, require_role
from ideas.views.board import csv_number, csv_text
from portal.routers import reads_from_replica

CUSTOM = "custom"
PERIOD_CHOICES = [
    *((value, f"Last {days} days") for value, days in insights.RANGES.items()),
    (CUSTOM, "Custom dates"),
]
DATE_ERRORS = {"invalid": "Enter a date as YYYY-MM-DD, like 2026-01-31."}
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


class InsightsForm(forms.Form):
    """The question: a period (a preset or custom dates), filters, the demand measure and the
    segment the interest panel compares. Anything unknown is an error, never a guess."""

    range = forms.ChoiceField(label="Period", choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(
        label="From", required=False, error_messages=DATE_ERRORS, widget=forms.DateInput()
    )
    end = forms.DateField(
        label="To", required=False, error_messages=DATE_ERRORS, widget=forms.DateInput()
    )
    segment = forms.ChoiceField(choices=[("", "Any segment"), *Segment.choices], required=False)
    region = forms.ChoiceField(choices=[("", "Any region"), *Region.choices], required=False)
    plan = forms.ChoiceField(choices=[("", "Any plan"), *Plan.choices], required=False)
    lifecycle = forms.ChoiceField(
        label="Account lifecycle",
        choices=[("", "Any lifecycle"), *Lifecycle.choices],
        required=False,
    )
    category = forms.ChoiceField(required=False)
    weight = forms.ChoiceField(
        label="Measure demand by", choices=list(insights.WEIGHTS.items()), required=False
    )
    focus = forms.ChoiceField(
        label="Segment to compare",
        choices=[("", "The busiest segment"), *Segment.choices],
        required=False,
    )

    def __init__(self, *args: Any, categories: Sequence[tuple[int, str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", "All categories"),
            *((slug, name) for _, slug, name in categories),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        start, end = data.get("start"), data.get("end")
        # Dates without a preset mean custom dates, so a hand-written link needs no range=.
        chosen = data.get("range") or (CUSTOM if start or end else insights.DEFAULT_RANGE)
        if chosen == CUSTOM:
            if not start or not end:
                raise forms.ValidationError("Give both a start and an end date for custom dates.")
            if end < start:
                self.add_error("end", "The end date is before the start date.")
                return data
            days = (end - start).days + 1
            if days > insights.MAX_DAYS:
                self.add_error(
                    "end",
                    f"Choose at most three years ({insights.MAX_DAYS} days); "
                    f"this range has {days} days.",
                )
                return data
            period = insights.Period(start, end)
        else:
            period = insights.Period.last(insights.RANGES[chosen])
        data["range"] = chosen
        data["query"] = insights.InsightsQuery(
            period=period,
            filters=insights.Filters(
                segment=data["segment"],
                region=data["region"],
                plan=data["plan"],
                lifecycle=data["lifecycle"],
                category=data["category"],
            ),
            weight=data["weight"] or "count",
            focus=data["focus"],
        )
        return data

    def encoded(self) -> str:
        """The validated question as a query string, for links to the report and exports."""
        data = self.cleaned_data
        query: insights.InsightsQuery = data["query"]
        params = {"range": data["range"]}
        if data["range"] == CUSTOM:
            params |= {
                "start": query.period.start.isoformat(),
                "end": query.period.end.isoformat(),
            }
        for name in ("segment", "region", "plan", "lifecycle", "category", "focus"):
            params[name] = data[name]
        if query.by_arr:
            params["weight"] = "arr"
        return urlencode({name: value for name, value in params.items() if value})


def read_question(request: HttpRequest) -> tuple[InsightsForm, list[tuple[int, str, str]]]:
    categories = insights.category_choices()
    return InsightsForm(request.GET, categories=categories), categories


def error_messages(form: InsightsForm) -> list[str]:
    """Each problem once, in words that say what to change."""
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            messages.append(f"{label or name.capitalize()}: {error}" if label else error)
    return messages


def page_context(form: InsightsForm, categories: list, **extra: Any) -> dict[str, Any]:
    if form.is_valid():
        selected_range = form.cleaned_data["range"]
    else:
        selected_range = form.data.get("range") or insights.DEFAULT_RANGE
    return {
        "form": form,
        "selected_range": selected_range,
        "errors": error_messages(form) if form.errors else [],
        "segments": Segment.choices,
        "regions": Region.choices,
        "plans": Plan.choices,
        "lifecycles": Lifecycle.choices,
        "categories": categories,
        "weights": insights.WEIGHTS,
        "period_choices": PERIOD_CHOICES,
        "max_age_minutes": insights.MAX_AGE // 60,
        "now_date": f"{timezone.localdate():%Y%m%d}",
        **extra,
    }


def render_question(request: HttpRequest, template: str) -> HttpResponse:
    form, categories = read_question(request)
    if not form.is_valid():
        # A bad question gets the form back with what to fix, and a 400, never a 500.
        return render(
            request, "insights/insights.html", page_context(form, categories), status=400
        )
    query = form.cleaned_data["query"]
    result = insights.cached(query, categories)
    export_query = form.encoded()
    context = page_context(
        form,
        categories,
        insights=result,
        query=query,
        export_query=export_query,
        # The interest panel's own form changes the segment and keeps everything else.
        hidden_params=[(k, v) for k, v in parse_qsl(export_query) if k != "focus"],
        report=template.endswith("report.html"),
    )
    if template == "insights/insights.html":
        # The panels are the same HTML for everyone who may see these figures: rendered
        # once per computation and kept with them (insights.remember_html).
        name = f"page?{export_query}"
        html = result.rendered.get(name)
        if html is None:
            html = render_to_string(f"{template}#panels-body", context, request)
            insights.remember_html(result, name, html)
        context["panels_html"] = mark_safe(html)  # noqa: S308 - our own template's output
    return render(request, template, context)


@require_role(can_view_insights)
@require_GET
@reads_from_replica
def insights_page(request: HttpRequest) -> HttpResponse:
    """Trends for executives: revenue at stake, movers, segments, chatter, sources,
    decisions and sentiment for a period, against the period before."""
    # Queries: session, user, categories, then one cache read; on a miss, the nine of
    # insights.compute and the cache write. Fixed either way (tests/test_insights.py).
    return render_question(request, "insights/insights.html")


@require_role(can_view_insights)
@require_GET
@reads_from_replica
def report(request: HttpRequest) -> HttpResponse:
    """The same period as one printable page, a panel per printed page."""
    return render_question(request, "insights/report.html")


@require_role(can_view_insights)
@require_POST
@reads_from_replica
def refresh(request: HttpRequest) -> HttpResponse:
    """Recompute the figures for this question now ("Refresh now"), then back to the page."""
    form, categories = read_question(request)
    if not form.is_valid():
        return render(
            request, "insights/insights.html", page_context(form, categories), status=400
        )
    result = insights.refresh(form.cleaned_data["query"])
    messages.success(
        request, f"Figures recomputed as of {timezone.localtime(result.generated_at):%H:%M}."
    )
    # The validated question only: never a URL taken from the request.
    return redirect(f"{reverse('ideas:insights')}?{form.encoded()}")


def bad_request(form: InsightsForm) -> HttpResponse:
    text = "This report cannot be made:\n" + "\n".join(f"- {m}" for m in error_messages(form))
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def filename(result: insights.Insights, extension: str) -> str:
    period = result.query.period
    return f"lode-insights-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}.{extension}"


def csv_cell(value: Any) -> Any:
    """Text is disarmed against spreadsheet formulas; numbers and dates stay what they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) or hasattr(value, "as_tuple"):
        return csv_number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return csv_text(str(value))


def report_rows(result: insights.Insights) -> list[list[Any]]:
    """The report's figures as CSV rows: a heading, then each panel's tables in turn."""
    query = result.query
    rows: list[list[Any]] = [
        ["Lode insights report"],
        ["period_start", query.period.start],
        ["period_end", query.period.end],
        ["previous_start", query.period.previous.start],
        ["previous_end", query.period.previous.end],
        ["measure", insights.WEIGHTS[query.weight]],
        *([name.lower(), value] for name, value in result.filters),
        ["generated_at", timezone.localtime(result.generated_at).replace(microsecond=0)],
        [],
    ]
    for panel in result.panels:
        for table in panel.tables():
            rows.append(
                [f"{panel.title}: {table.title}" if table.title != panel.title else table.title]
            )
            rows.append(table.columns)
            rows.extend(table.rows)
            rows.append([])
    return rows


@require_role(can_view_insights)
@require_GET
@reads_from_replica
def report_csv(request: HttpRequest) -> HttpResponse:
    """The figures behind the report, table after table, safe to open in a spreadsheet."""
    form, categories = read_question(request)
    if not form.is_valid():
        return bad_request(form)
    result = insights.cached(form.cleaned_data["query"], categories)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in report_rows(result):
        writer.writerow([csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(result, "csv")}"'
    return response


@require_role(can_view_insights)
@require_GET
@reads_from_replica
def report_pptx(request: HttpRequest) -> HttpResponse:
    """The report as a PowerPoint deck with native charts, for the market-insight meeting."""
    from ideas.report_pptx import build_deck  # python-pptx loads only for this download

    form, categories = read_question(request)
    if not form.is_valid():
        return bad_request(form)
    result = insights.cached(form.cleaned_data["query"], categories)
    response = HttpResponse(build_deck(result), content_type=PPTX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(result, "pptx")}"'
    return response
