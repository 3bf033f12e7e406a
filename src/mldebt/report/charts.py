"""The one chart module of mldebt: data in, SVG geometry out, drawn on the server.

The functions here are pure (no I/O, no browser, no network): they turn labels and numbers into
plain geometry (pixel coordinates, tick labels, legend entries, and the same numbers as a table)
that the macros in `templates/charts.html.j2` draw as inline SVG. Labels and titles are user data:
they stay text here and the shared autoescaped environment (`mldebt.report.environment`) escapes
them; no markup is ever built in Python. Input is bounded (points, series, label length), values
that are not finite are skipped, and a chart with nothing to draw says so instead of drawing axes
over nothing. Used by the drift report, the dashboard and the board report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from mldebt.report.environment import template_environment

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 40, 44  # margins: y tick labels, title + legend, x tick labels + axis label
MAX_POINTS = 500  # x labels (points per series, bars per series)
MAX_SERIES = 12
MAX_LABEL = 60  # characters of a label kept in the data table and tooltips (then cut with an ellipsis)
LEGEND_LABEL = 24  # characters of a series name kept in the legend
TICK_LABEL = 14  # characters of an x tick label kept
CHAR_PX = 5.5  # average width of a character at the 9px tick font, to thin crowded x labels
EMPTY_MESSAGE = "No data to chart."
MAX_ROWS = 50  # rows of a horizontal bar chart (it grows downwards, ROW_PX per row)
ROW_PX, H_LEFT, H_TOP = 18, 150, 28  # row height; room for category labels; title only (one series, no legend)

# Fixed palette, every colour at least 4.5:1 against white (WCAG AA for text), in order of use.
PALETTE = ("#1f5fa8", "#b35900", "#2e7d32", "#c62828", "#6a3d9a", "#00737a",
           "#ad1457", "#5d4037", "#455a64", "#6b5d00", "#283593", "#616161")


@dataclass(frozen=True)
class Tick:
    pos: float  # pixel coordinate along its axis
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    colour: str
    title: str  # "label: series value", shown as a tooltip


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Line:
    series: str
    colour: str
    segments: tuple[str, ...]  # SVG `points` strings; a skipped value breaks the line
    points: tuple[Point, ...]


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    x: float
    y: float


@dataclass(frozen=True)
class DataTable:
    """The numbers behind a chart, for screen readers and for anyone who wants the values."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ChartGeometry:
    kind: str  # "line" | "bars" | "hbars"
    chart_id: str
    title: str
    x_label: str
    y_label: str
    width: int = WIDTH
    height: int = HEIGHT
    plot: tuple[float, float, float, float] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)  # x0, y0, x1, y1
    x_ticks: tuple[Tick, ...] = ()
    y_ticks: tuple[Tick, ...] = ()
    bars: tuple[Bar, ...] = ()
    lines: tuple[Line, ...] = ()
    legend: tuple[LegendItem, ...] = ()
    table: DataTable = field(default_factory=lambda: DataTable((), ()))
    empty: bool = False
    message: str = EMPTY_MESSAGE


def cut(label: object, limit: int = MAX_LABEL) -> str:
    """A label of at most `limit` characters (an ellipsis marks a cut)."""
    text = str(label)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def chart_id(text: str) -> str:
    """An id safe in an attribute and an `aria-labelledby` reference: letters, digits and dashes."""
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:40] or "chart"


def fmt(value: float) -> str:
    """A value as the data table and the tooltips show it (6 significant digits)."""
    return f"{value:.6g}"


def number(value: object) -> float | None:
    """A finite float, or None for anything else (None, NaN, inf, text): such values are not drawn."""
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def nice_step(span: float, target: int = 5) -> float:
    """The smallest step of the form 1, 2 or 5 x 10^n that cuts `span` into at most `target` parts."""
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Tick values of a nice step covering [low, high]: `nice_ticks(0, 87) == [0, 20, 40, 60, 80, 100]`."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("tick range must be finite")
    low, high = min(low, high), max(low, high)
    if low == high:
        low, high = (low - 1, high + 1) if low == 0 else (min(0.0, low), max(0.0, high))
    step = nice_step(high - low, target)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    digits = max(0, -math.floor(math.log10(step)) + 1)
    return [round(k * step, digits) + 0.0 for k in range(first, last + 1)]


def tick_label(value: float, step: float) -> str:
    """A tick value with as many decimals as its step needs, thousands as k and millions as M."""
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if step >= scale / 2:
            return f"{value / scale:.{max(0, -math.floor(math.log10(step / scale)))}f}{suffix}"
    return f"{value:.{max(0, -math.floor(math.log10(step)))}f}"


def _bounded(labels: Sequence[object], series: Mapping[str, Sequence[float | None]]
             ) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
    kept = [cut(label) for label in labels[:MAX_POINTS]]
    rows = [(cut(name), [number(v) for v in list(values)[: len(kept)]])
            for name, values in list(series.items())[:MAX_SERIES]]
    return kept, [(name, values + [None] * (len(kept) - len(values))) for name, values in rows]


def _table(x_label: str, labels: list[str], rows: list[tuple[str, list[float | None]]]) -> DataTable:
    return DataTable((x_label or "label", *(name for name, _ in rows)),
                     tuple((label, *(fmt(v) if v is not None else "" for _, v in
                                     ((n, values[i]) for n, values in rows))) for i, label in enumerate(labels)))


def _legend(rows: list[tuple[str, list[float | None]]]) -> tuple[LegendItem, ...]:
    """Legend entries left to right under the title, wrapping onto a second row if they do not fit."""
    items, x, y = [], float(LEFT), 30.0
    for i, (name, _) in enumerate(rows):
        short = cut(name, LEGEND_LABEL)
        width = 16 + len(short) * CHAR_PX + 12
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = float(LEFT), y + 12
        items.append(LegendItem(short, PALETTE[i], round(x, 2), y))
        x += width
    return tuple(items)


def _y_axis(values: list[float], y0: float, y1: float) -> tuple[tuple[Tick, ...], float, float]:
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    low, high = ticks[0], ticks[-1]
    step = ticks[1] - ticks[0]
    scale = (y1 - y0) / (high - low)
    return tuple(Tick(round(y1 - (t - low) * scale, 2), tick_label(t, step)) for t in ticks), low, scale


def _x_ticks(labels: list[str], centres: list[float], slot: float) -> tuple[Tick, ...]:
    short = [cut(label, TICK_LABEL) for label in labels]
    step = max(1, math.ceil(max((len(s) for s in short), default=0) * CHAR_PX / max(slot, 1e-9)))
    return tuple(Tick(round(c, 2), s) for i, (c, s) in enumerate(zip(centres, short, strict=True)) if i % step == 0)


def line_chart(title: str, labels: Sequence[object], series: Mapping[str, Sequence[float | None]], *,
               x_label: str = "", y_label: str = "", key: str | None = None) -> ChartGeometry:
    """Several series over the same x labels (weeks, quarters, run dates), one line each."""
    kept, rows = _bounded(labels, series)
    base = ChartGeometry("line", chart_id(key or title), cut(title, 120), cut(x_label, 60), cut(y_label, 60),
                         table=_table(x_label, kept, rows), legend=_legend(rows))
    values = [v for _, vs in rows for v in vs if v is not None]
    if not values:
        return _empty(base)
    x0, y0, x1, y1 = base.plot
    n = len(kept)
    slot = (x1 - x0) / max(n - 1, 1)
    xs = [x0 + i * slot for i in range(n)] if n > 1 else [(x0 + x1) / 2]
    y_ticks, low, scale = _y_axis(values, y0, y1)
    lines = []
    for (name, vs), colour in zip(rows, PALETTE, strict=False):
        points: list[Point] = []
        segments: list[str] = []
        run: list[str] = []
        for i, v in enumerate(vs):
            if v is None:
                segments, run = segments + ([" ".join(run)] if len(run) > 1 else []), []
                continue
            p = Point(round(xs[i], 2), round(y1 - (v - low) * scale, 2), f"{kept[i]}: {name} {fmt(v)}")
            points.append(p)
            run.append(f"{p.x},{p.y}")
        segments += [" ".join(run)] if len(run) > 1 else []
        lines.append(Line(name, colour, tuple(segments), tuple(points)))
    return _replace(base, x_ticks=_x_ticks(kept, xs, slot if n > 1 else x1 - x0), y_ticks=y_ticks, lines=tuple(lines))


def bar_chart(title: str, labels: Sequence[object], series: Mapping[str, Sequence[float | None]], *,
              x_label: str = "", y_label: str = "", key: str | None = None) -> ChartGeometry:
    """Grouped vertical bars: one group per label, one bar per series (reference vs current, ...)."""
    kept, rows = _bounded(labels, series)
    base = ChartGeometry("bars", chart_id(key or title), cut(title, 120), cut(x_label, 60), cut(y_label, 60),
                         table=_table(x_label, kept, rows), legend=_legend(rows))
    values = [v for _, vs in rows for v in vs if v is not None]
    if not values:
        return _empty(base)
    x0, y0, x1, y1 = base.plot
    slot = (x1 - x0) / len(kept)
    width = slot * 0.8 / len(rows)
    y_ticks, low, scale = _y_axis(values, y0, y1)
    zero = y1 - (0 - low) * scale
    bars = []
    for i, label in enumerate(kept):
        for j, ((name, vs), colour) in enumerate(zip(rows, PALETTE, strict=False)):
            v = vs[i]
            if v is None:
                continue
            top = y1 - (v - low) * scale
            bars.append(Bar(round(x0 + i * slot + slot * 0.1 + j * width, 2), round(min(top, zero), 2),
                            round(width, 2), round(abs(zero - top), 2), colour, f"{label}: {name} {fmt(v)}"))
    centres = [x0 + (i + 0.5) * slot for i in range(len(kept))]
    return _replace(base, x_ticks=_x_ticks(kept, centres, slot), y_ticks=y_ticks, bars=tuple(bars))


def hbar_chart(title: str, labels: Sequence[object], values: Sequence[float | None], *, x_label: str = "",
               y_label: str = "", key: str | None = None) -> ChartGeometry:
    """One horizontal bar per label (values per component, findings per rule), in the order given.

    The chart grows with its rows (ROW_PX each, at most MAX_ROWS) so long label lists stay readable;
    the value axis runs along the bottom with nice ticks and its unit in `x_label`.
    """
    kept, rows = _bounded(list(labels)[:MAX_ROWS], {cut(y_label or "value", LEGEND_LABEL): values})
    height = H_TOP + max(len(kept), 1) * ROW_PX + BOTTOM
    x0, y0, x1, y1 = H_LEFT, H_TOP, WIDTH - RIGHT, height - BOTTOM
    base = ChartGeometry("hbars", chart_id(key or title), cut(title, 120), cut(x_label, 60), cut(y_label, 60),
                         height=height, plot=(x0, y0, x1, y1), table=_table(y_label, kept, rows))
    present = [v for v in rows[0][1] if v is not None]
    if not present:
        return _empty(base)
    ticks = nice_ticks(min(0.0, *present), max(0.0, *present))
    low, step = ticks[0], ticks[1] - ticks[0]
    scale = (x1 - x0) / (ticks[-1] - low)
    zero = x0 + (0 - low) * scale
    bars = []
    for i, (label, v) in enumerate(zip(kept, rows[0][1], strict=True)):
        if v is None:
            continue
        end = x0 + (v - low) * scale
        bars.append(Bar(round(min(zero, end), 2), round(y0 + i * ROW_PX + ROW_PX * 0.15, 2), round(abs(end - zero), 2),
                        round(ROW_PX * 0.7, 2), PALETTE[0], f"{label}: {fmt(v)}"))
    return _replace(base, bars=tuple(bars),
                    x_ticks=tuple(Tick(round(x0 + (t - low) * scale, 2), tick_label(t, step)) for t in ticks),
                    y_ticks=tuple(Tick(round(y0 + (i + 0.5) * ROW_PX, 2), cut(label, LEGEND_LABEL))
                                  for i, label in enumerate(kept)))


def _empty(base: ChartGeometry) -> ChartGeometry:
    return _replace(base, empty=True, legend=(), table=DataTable(base.table.header, ()))


def _replace(base: ChartGeometry, **changes: object) -> ChartGeometry:
    return replace(base, **changes)  # type: ignore[arg-type]


def render_chart(chart: ChartGeometry) -> str:
    """One chart as an HTML fragment: the SVG and its data table (through the shared environment)."""
    return template_environment().get_template("chart.html.j2").render(chart=chart)


def render_svg(chart: ChartGeometry) -> str:
    """One chart as a standalone SVG document (an `.svg` file), without the data table."""
    return template_environment().get_template("chart.svg.j2").render(chart=chart)
