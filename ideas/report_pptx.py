"""The insights report as a PowerPoint deck for the regular market-insight meeting.

A title slide with the period and filters, then one slide per panel: its title, its one-line
summary, and its charts as native PowerPoint charts (built with python-pptx from the same
`Chart` descriptions the page draws with Chart.js), so anyone can restyle or re-read the
figures in PowerPoint. Speaker notes carry the method.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from ideas import insights
from ideas.templatetags.lode import money_short

# 16:9, the shape of every projector and video call.
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_TOP, SUMMARY_TOP, BODY_TOP = Inches(0.35), Inches(1.05), Inches(1.85)
BODY_HEIGHT = HEIGHT - BODY_TOP - Inches(0.6)
INK = RGBColor(0x21, 0x25, 0x29)
GREY = RGBColor(0x6C, 0x75, 0x7D)
ACCENT = RGBColor.from_string(insights.COLORS["primary"].lstrip("#"))
BLANK_LAYOUT = 6
# The heat map's shades, as on the page (static/css/insights.css), and short segment names
# so nine columns fit beside a chart.
HEAT = ("F8F9FB", "EEF2FF", "E0E7FF", "C7D2FE", "A5B4FC", "6366F1", "4338CA")
SEGMENT_SHORT = {
    "technology": "Tech",
    "financial": "Finance",
    "healthcare": "Health",
    "retail": "Retail",
    "manufacturing": "Manuf.",
    "public": "Public",
    "education": "Educ.",
    "media": "Media",
    "": "None",
}

METHOD_NOTE = (
    "Method: votes and signals in this period against the period of the same length just "
    "before it. Rising and cooling are flagged by an exact binomial test (current events "
    "given the total are Binomial(n, ½) when nothing changed), tested only with at least "
    f"{insights.MIN_EVENTS} events, with the false discovery rate held at 5% "
    "(Benjamini–Hochberg) within ideas, categories and tags. ARR counts each account once. "
    "See docs/insights.md."
)


def rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#"))


def text_box(
    slide: Any,
    left: int,
    top: int,
    width: int,
    height: int,
    text: str,
    *,
    size: int = 14,
    bold: bool = False,
    color: RGBColor = INK,
    align: Any = PP_ALIGN.LEFT,
) -> Any:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    return box


def bullets(slide: Any, left: int, top: int, width: int, height: int, lines: list[str]) -> None:
    """A text box of short paragraphs (PowerPoint's own bullets need a placeholder)."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(6)
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(11)
        run.font.color.rgb = INK


def chart_type(chart: insights.Chart) -> Any:
    if chart.kind == "line":
        return XL_CHART_TYPE.LINE_MARKERS
    if chart.horizontal:
        return XL_CHART_TYPE.BAR_STACKED if chart.stacked else XL_CHART_TYPE.BAR_CLUSTERED
    return XL_CHART_TYPE.COLUMN_STACKED if chart.stacked else XL_CHART_TYPE.COLUMN_CLUSTERED


def number_format(chart: insights.Chart) -> str:
    if chart.money:
        # $1.2M, $240k, $900: the page's compact money, as a spreadsheet number format.
        symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(settings.LODE_CURRENCY, "")
        prefix = f'"{symbol}"' if symbol else ""
        return (
            f'[>=1000000]{prefix}0.0,,"M";[>=1000]{prefix}0,"k";{prefix}0'
            if symbol
            else '[>=1000000]0.0,,"M";[>=1000]0,"k";0'
        )
    if chart.percent:
        return '0"%"'
    return (
        "#,##0.##"
        if any(isinstance(v, float) and v % 1 for s in chart.series for v in s.values if v)
        else "#,##0"
    )


def add_chart(
    slide: Any, chart: insights.Chart, left: int, top: int, width: int, height: int
) -> Any:
    """A native chart: its data lives in the deck, editable in PowerPoint."""
    labels = chart.labels or ["No data"]
    data = CategoryChartData(number_format=number_format(chart))
    data.categories = labels
    for series in chart.series:
        values = series.values if chart.labels else [0]
        data.add_series(series.name, [v if v is not None else 0 for v in values])
    frame = slide.shapes.add_chart(chart_type(chart), left, top, width, height, data)
    native = frame.chart
    native.font.size = Pt(10)
    native.font.color.rgb = INK
    native.has_title = True
    native.chart_title.text_frame.text = chart.title
    native.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(12)
    native.chart_title.text_frame.paragraphs[0].runs[0].font.bold = True
    native.has_legend = len(chart.series) > 1
    if native.has_legend:
        native.legend.position = XL_LEGEND_POSITION.BOTTOM
        native.legend.include_in_layout = False
    plot = native.plots[0]
    if chart.kind != "line":
        plot.gap_width = 60
        if chart.stacked:
            plot.overlap = 100
    for native_series, series in zip(plot.series, chart.series, strict=True):
        fill = native_series.format.fill
        fill.solid()
        fill.fore_color.rgb = rgb(series.color)
        if chart.kind == "line":
            native_series.format.line.color.rgb = rgb(series.color)
        for index, color in enumerate(series.colors or []):
            point = native_series.points[index].format.fill
            point.solid()
            point.fore_color.rgb = rgb(color)
    if chart.horizontal:
        # PowerPoint draws bar charts bottom-up; the page and the tables read top-down. The
        # value axis then crosses at the last category, so it stays at the bottom.
        native.category_axis.reverse_order = True
        # python-pptx has no public setter for where the value axis crosses the categories.
        value_axis_xml = native.value_axis._element
        value_axis_xml._remove_crosses()
        value_axis_xml._add_crosses(val=XL_AXIS_CROSSES.MAXIMUM)
    value_axis = native.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xE5, 0xE7, 0xEB)
    value_axis.tick_labels.number_format = number_format(chart)
    value_axis.tick_labels.number_format_is_linked = False
    if chart.axis:
        value_axis.has_title = True
        value_axis.axis_title.text_frame.text = chart.axis
        value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    native.category_axis.tick_labels.font.size = Pt(9)
    return native


def add_table(
    slide: Any,
    left: int,
    top: int,
    width: int,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    size: int = 9,
    first: int | None = None,
    shades: Sequence[Sequence[int]] | None = None,
) -> None:
    """A native table; `first` is the width of the label column, the rest share the rest."""
    shape = slide.shapes.add_table(len(rows) + 1, len(columns), left, top, width, Inches(0.3))
    table = shape.table
    if first is not None and len(columns) > 1:
        table.columns[0].width = first
        for col in range(1, len(columns)):
            table.columns[col].width = Emu(int((width - first) / (len(columns) - 1)))
    # Narrow margins: nine short columns fit beside a chart without breaking words.
    for cell in table.iter_cells():
        cell.margin_left = cell.margin_right = Inches(0.04)
    for col, name in enumerate(columns):
        cell = table.cell(0, col)
        cell.text = name
        cell.text_frame.paragraphs[0].runs[0].font.size = Pt(size)
        cell.text_frame.paragraphs[0].runs[0].font.bold = True
    for row_index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            cell = table.cell(row_index, col)
            cell.text = value
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.runs[0].font.size = Pt(size)
            if col:
                paragraph.alignment = PP_ALIGN.RIGHT
            if shades is not None and col:
                level = shades[row_index - 1][col - 1]
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor.from_string(HEAT[level])
                if level >= 5:
                    paragraph.runs[0].font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    for row_index in range(len(rows) + 1):
        table.rows[row_index].height = Inches(0.28)


def slide_frame(prs: Any, title: str, summary: str, footer: str, number: int) -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    text_box(slide, MARGIN, TITLE_TOP, WIDTH - 2 * MARGIN, Inches(0.7), title, size=28, bold=True)
    text_box(
        slide, MARGIN, SUMMARY_TOP, WIDTH - 2 * MARGIN, Inches(0.75), summary, size=14, color=GREY
    )
    text_box(
        slide, MARGIN, HEIGHT - Inches(0.45), Inches(10), Inches(0.3), footer, size=9, color=GREY
    )
    text_box(
        slide,
        WIDTH - MARGIN - Inches(1),
        HEIGHT - Inches(0.45),
        Inches(1),
        Inches(0.3),
        str(number),
        size=9,
        color=GREY,
        align=PP_ALIGN.RIGHT,
    )
    return slide


def title_slide(prs: Any, result: insights.Insights) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    band = slide.shapes.add_shape(1, 0, 0, Inches(0.35), HEIGHT)  # 1: a rectangle
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    period = result.query.period
    text_box(
        slide,
        Inches(1),
        Inches(1.2),
        Inches(11),
        Inches(0.5),
        f"{settings.LODE_SITE_NAME} · Market insights".upper(),
        size=14,
        bold=True,
        color=ACCENT,
    )
    text_box(
        slide, Inches(1), Inches(1.8), Inches(11), Inches(1.2), str(period), size=40, bold=True
    )
    text_box(
        slide,
        Inches(1),
        Inches(3.0),
        Inches(11),
        Inches(0.6),
        f"{period.days} days, compared with {period.previous}",
        size=18,
        color=GREY,
    )
    filters = ", ".join(f"{name}: {value}" for name, value in result.filters) or (
        "All accounts and categories"
    )
    lines = [
        f"Filters: {filters}",
        f"Demand measured in: {insights.WEIGHTS[result.query.weight].lower()}",
        f"Demand: {result.movers.current} votes and signals "
        f"(previous period: {result.movers.previous})",
        f"Accounts asking: {result.top.accounts}, with {money_short(result.top.arr)} ARR",
        f"Decisions: {result.decisions.total}",
        f"Generated {timezone.localtime(result.generated_at):%-d %b %Y, %H:%M}",
    ]
    bullets(slide, Inches(1), Inches(4.0), Inches(11), Inches(2.8), lines)
    slide.notes_slide.notes_text_frame.text = METHOD_NOTE


def side_content(slide: Any, panel: Any, left: int, top: int, width: int) -> None:
    """What sits beside a panel's single chart: the figures an executive asks for next."""
    if isinstance(panel, insights.TopIdeasPanel):
        rows = [
            [
                insights.short(i.title, 38),
                money_short(i.at_stake),
                str(i.accounts),
                str(i.deal_breakers),
            ]
            for i in panel.ideas[:8]
        ]
        add_table(
            slide,
            left,
            top,
            width,
            ["Idea", "At stake", "Accounts", "Deal-breakers"],
            rows,
            first=Emu(int(width * 0.42)),
        )
    elif isinstance(panel, insights.InterestPanel):
        # The heat map as a table; segment names shortened to fit nine columns on a slide.
        segments = [SEGMENT_SHORT.get(value, label) for value, label in panel.segments]
        heat = panel.heat_rows()
        rows = [
            [row["category"], *(_cell(c["value"], panel.by_arr) for c in row["cells"])]
            for row in heat
        ]
        if rows:
            add_table(
                slide,
                left,
                top,
                width,
                ["Category", *segments],
                rows,
                size=8,
                first=Inches(1.5),
                shades=[[c["level"] for c in row["cells"]] for row in heat],
            )
    elif isinstance(panel, insights.DecisionsPanel):
        lines = [
            f"Median {panel.median_days:.0f} days to a first decision, "
            f"75th percentile {panel.p75_days:.0f} days."
            if panel.median_days is not None
            else "No first decisions in this period."
        ]
        for decision in panel.recent[:5]:
            why = f": {decision.explanation[:140]}" if decision.explanation else ""
            lines.append(f"{decision.status_label} · {decision.idea_title}{why}")
        bullets(slide, left, top, width, BODY_HEIGHT, lines)


def _cell(value: float, by_arr: bool) -> str:
    return money_short(value) if by_arr else f"{value:,.0f}"


def panel_slide(prs: Any, panel: Any, result: insights.Insights, number: int) -> None:
    footer = f"{settings.LODE_SITE_NAME} insights · {result.description}"
    slide = slide_frame(prs, panel.title, panel.summary, footer, number)
    charts = panel.charts()
    inner = WIDTH - 2 * MARGIN
    gap = Inches(0.3)
    if len(charts) == 1:
        # The interest panel's heat map needs the room; other panels give it to the chart.
        share = 0.42 if isinstance(panel, insights.InterestPanel) else 0.58
        chart_width = Emu(int(inner * share))
        add_chart(slide, charts[0], MARGIN, BODY_TOP, chart_width, BODY_HEIGHT)
        side_left = MARGIN + chart_width + gap
        side_content(slide, panel, side_left, BODY_TOP, inner - chart_width - gap)
    else:
        width = Emu(int((inner - gap) / 2))
        for index, chart in enumerate(charts[:2]):
            add_chart(slide, chart, MARGIN + index * (width + gap), BODY_TOP, width, BODY_HEIGHT)
    slide.notes_slide.notes_text_frame.text = f"{panel.summary}\n\n{METHOD_NOTE}"


def build_deck(result: insights.Insights) -> bytes:
    """The .pptx file: a title slide, then one slide per panel."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    title_slide(prs, result)
    for number, panel in enumerate(result.panels, start=2):
        panel_slide(prs, panel, result, number)
    output = io.BytesIO()
    prs.save(output)
    return output.getvalue()
