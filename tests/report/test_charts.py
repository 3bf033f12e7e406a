"""The shared chart module: nice ticks, hand-worked geometry, escaping, the data table, bounds."""

import math
from pathlib import Path

import pytest
from defusedxml import ElementTree

from mldebt.report.charts import (
    EMPTY_MESSAGE,
    MAX_LABEL,
    MAX_POINTS,
    MAX_ROWS,
    MAX_SERIES,
    PALETTE,
    Bar,
    Tick,
    bar_chart,
    hbar_chart,
    line_chart,
    nice_ticks,
    render_chart,
    render_svg,
    tick_label,
)

SVG_NS = "{http://www.w3.org/2000/svg}"
SVG_TAGS = {"svg", "title", "text", "rect", "line", "polyline", "circle"}
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "a' onmouseover='alert(2)"]


@pytest.mark.parametrize(("low", "high", "ticks"), [
    (0, 87, [0, 20, 40, 60, 80, 100]),
    (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (0, 0.37, [0, 0.1, 0.2, 0.3, 0.4]),
    (-3, 7, [-4, -2, 0, 2, 4, 6, 8]),
    (0, 12345, [0, 5000, 10000, 15000]),
    (0, 4, [0, 1, 2, 3, 4]),
    (3, 3, [0, 1, 2, 3]),
    (0, 0, [-1, -0.5, 0, 0.5, 1]),
    (0.001, 0.0042, [0.001, 0.002, 0.003, 0.004, 0.005]),  # zero is added by the y axis, not here
])
def test_nice_ticks_are_one_two_or_five_times_a_power_of_ten(low, high, ticks):
    assert nice_ticks(low, high) == ticks


def test_nice_ticks_refuse_a_range_that_is_not_finite():
    with pytest.raises(ValueError, match="finite"):
        nice_ticks(0, math.inf)


def test_tick_labels_show_the_decimals_of_the_step_and_thousands_as_k():
    assert [tick_label(v, 0.2) for v in (0, 0.4, 1.0)] == ["0.0", "0.4", "1.0"]
    assert [tick_label(v, 5000) for v in (0, 15000)] == ["0k", "15k"]
    assert tick_label(2_500_000, 500_000) == "2.5M"
    assert tick_label(40, 20) == "40" and tick_label(1500, 500) == "1.5k"


def test_grouped_bars_have_hand_worked_pixel_coordinates():
    # plot area x 56..544 (488 px), y 40..196 (156 px); ticks 0..4 so 39 px per unit;
    # two groups of 244 px, bars 0.8 * 244 / 2 = 97.6 px wide after a 24.4 px gap.
    chart = bar_chart("Refs", ["a", "b"], {"ref": [1, 2], "cur": [2, 4]}, y_label="share")
    assert chart.bars == (Bar(80.4, 157.0, 97.6, 39.0, PALETTE[0], "a: ref 1"),
                          Bar(178.0, 118.0, 97.6, 78.0, PALETTE[1], "a: cur 2"),
                          Bar(324.4, 118.0, 97.6, 78.0, PALETTE[0], "b: ref 2"),
                          Bar(422.0, 40.0, 97.6, 156.0, PALETTE[1], "b: cur 4"))
    assert chart.y_ticks == tuple(Tick(y, str(v)) for v, y in enumerate((196.0, 157.0, 118.0, 79.0, 40.0)))
    assert chart.x_ticks == (Tick(178.0, "a"), Tick(422.0, "b"))
    assert [(item.label, item.colour) for item in chart.legend] == [("ref", PALETTE[0]), ("cur", PALETTE[1])]


def test_a_negative_bar_hangs_below_the_zero_line():
    chart = bar_chart("Change", ["x", "y"], {"delta": [-2, 3]})
    # ticks -2..3: 156 / 5 = 31.2 px per unit, zero at 196 - 2 * 31.2 = 133.6
    assert [(b.y, b.h) for b in chart.bars] == [(133.6, 62.4), (40.0, 93.6)]


def test_line_points_have_hand_worked_pixel_coordinates_and_a_gap_breaks_the_line():
    chart = line_chart("Open debt", ["W1", "W2", "W3", "W4", "W5"],
                       {"open": [0, 5, 10, None, 10], "interest": [2, float("nan"), 4, 6, float("inf")]},
                       x_label="week", y_label="$/week")
    # x: 488 px / 4 = 122 px per week; ticks 0..10 step 2: 15.6 px per unit
    open_line, interest = chart.lines
    assert [(p.x, p.y) for p in open_line.points] == [(56.0, 196.0), (178.0, 118.0), (300.0, 40.0), (544.0, 40.0)]
    assert open_line.segments == ("56.0,196.0 178.0,118.0 300.0,40.0",)  # a lone point after a gap is a dot only
    assert interest.segments == ("300.0,133.6 422.0,102.4",)
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8", "10"]
    assert (chart.x_label, chart.y_label) == ("week", "$/week")


def test_the_data_table_holds_the_same_numbers_as_the_chart():
    values = {"reference": [0.125, 0.5, 0.375], "current": [0.3, float("nan"), 0.7]}
    chart = bar_chart("Shares", ["low", "mid", "high"], values, x_label="bin")
    assert chart.table.header == ("bin", "reference", "current")
    assert chart.table.rows == (("low", "0.125", "0.3"), ("mid", "0.5", ""), ("high", "0.375", "0.7"))
    html = render_chart(chart)
    cells = ElementTree.fromstring(html).findall(".//td")
    assert [float(c.text) for c in cells if c.text] == [0.125, 0.3, 0.5, 0.375, 0.7]
    assert sorted(float(b.title.rsplit(" ", 1)[1]) for b in chart.bars) == [0.125, 0.3, 0.375, 0.5, 0.7]


def _svg_element(markup: str):
    root = ElementTree.fromstring(markup)
    return root if root.tag == f"{SVG_NS}svg" else root.find(f"{SVG_NS}svg")


@pytest.mark.parametrize("draw", [bar_chart, line_chart])
def test_hostile_labels_titles_and_series_names_are_escaped_text(draw):
    chart = draw(HOSTILE[0], HOSTILE, {HOSTILE[1]: [1, 2, 3], HOSTILE[2]: [3, 2, 1]}, x_label=HOSTILE[1],
                 y_label=HOSTILE[2])
    for markup in (render_chart(chart), render_svg(chart)):
        assert "<script" not in markup and "<img" not in markup
        svg = _svg_element(markup)
        assert svg.get("role") == "img" and svg.get("aria-labelledby") == "script-alert-1-script-title"
        assert {e.tag.removeprefix(SVG_NS) for e in svg.iter()} <= SVG_TAGS
        assert [name for e in ElementTree.fromstring(markup).iter() for name in e.attrib if name.startswith("on")] == []
        texts = {e.text for e in svg.iter() if e.text}
        assert HOSTILE[0] in texts and HOSTILE[2] in texts  # shown as text, not run
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in render_chart(chart)


def test_input_is_bounded_in_points_series_and_label_length():
    labels = [f"{'x' * 100}{i}" for i in range(MAX_POINTS + 100)]
    series = {f"s{k}": list(range(MAX_POINTS + 100)) for k in range(MAX_SERIES + 3)}
    chart = line_chart("Many", labels, series)
    assert len(chart.lines) == MAX_SERIES and len(chart.legend) == MAX_SERIES
    assert {len(line.points) for line in chart.lines} == {MAX_POINTS}
    assert len(chart.table.rows) == MAX_POINTS and len(chart.table.header) == MAX_SERIES + 1
    assert chart.table.rows[0][0] == "x" * (MAX_LABEL - 1) + "\u2026"
    assert {line.colour for line in chart.lines} == set(PALETTE)
    assert len(chart.x_ticks) < 40  # crowded labels are thinned


def test_short_series_are_padded_and_text_values_are_skipped():
    chart = bar_chart("Pad", ["a", "b", "c"], {"s": [1, "oops"]})  # type: ignore[list-item]
    assert chart.table.rows == (("a", "1"), ("b", ""), ("c", ""))
    assert len(chart.bars) == 1


@pytest.mark.parametrize("series", [{}, {"s": []}, {"s": [float("nan"), None, float("-inf")]}])
def test_empty_data_renders_an_empty_state_message(series):
    chart = line_chart("Nothing yet", ["a", "b", "c"] if series.get("s") else [], series)
    assert chart.empty and chart.bars == () and chart.lines == () and chart.legend == ()
    svg = _svg_element(render_svg(chart))
    assert [e.text for e in svg.iter(f"{SVG_NS}text")] == ["Nothing yet", EMPTY_MESSAGE]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_every_palette_colour_reads_on_white_at_aa_contrast():
    assert len(PALETTE) == MAX_SERIES == len(set(PALETTE))
    assert [c for c in PALETTE if 1.05 / (_luminance(c) + 0.05) < 4.5] == []


def test_horizontal_bars_have_hand_worked_pixel_coordinates_and_grow_with_their_rows():
    chart = hbar_chart("Open debt per component", ["recommender", "search", "pricing"], [30, None, 75],
                       x_label="$/week", y_label="component")
    # 3 rows of 18 px from y 28: height 28 + 54 + 44; value axis 150..544 (394 px) over ticks 0..80
    assert (chart.height, chart.plot) == (126, (150, 28, 544, 82))
    assert [t.label for t in chart.x_ticks] == ["0", "20", "40", "60", "80"]
    assert chart.bars == (Bar(150.0, 30.7, 147.75, 12.6, PALETTE[0], "recommender: 30"),
                          Bar(150.0, 66.7, 369.38, 12.6, PALETTE[0], "pricing: 75"))
    assert [(t.pos, t.label) for t in chart.y_ticks] == [(37.0, "recommender"), (55.0, "search"), (73.0, "pricing")]
    assert chart.table.rows == (("recommender", "30"), ("search", ""), ("pricing", "75"))
    svg = _svg_element(render_svg(chart))
    assert svg.get("height") == "126" and len(svg.findall(f"{SVG_NS}rect")) == 2


def test_horizontal_bars_are_bounded_and_empty_values_say_so():
    chart = hbar_chart("Many", [f"c{i}" for i in range(MAX_ROWS + 10)], list(range(MAX_ROWS + 10)))
    assert len(chart.bars) == MAX_ROWS and len(chart.table.rows) == MAX_ROWS
    assert hbar_chart("None", ["a"], [float("nan")]).empty


def test_hostile_component_names_in_horizontal_bars_are_escaped_text():
    markup = render_chart(hbar_chart(HOSTILE[1], HOSTILE, [1, 2, 3], x_label=HOSTILE[0]))
    svg = _svg_element(markup)
    assert "<img" not in markup and "<script" not in markup
    assert {e.tag.removeprefix(SVG_NS) for e in svg.iter()} <= SVG_TAGS
    assert [name for e in ElementTree.fromstring(markup).iter() for name in e.attrib if name.startswith("on")] == []
    assert [e.text for e in ElementTree.fromstring(markup).iter("th") if e.get("scope") == "row"] == HOSTILE


def test_the_documented_example_writes_an_svg_file(tmp_path, monkeypatch):
    text = (Path(__file__).resolve().parents[2] / "docs" / "charts.md").read_text("utf-8")
    example = text.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "docs/charts.md", "exec"), {})
    svg = ElementTree.parse(tmp_path / "debt-trend.svg").getroot()
    assert svg.get("aria-labelledby") == "debt-trend-title"
    assert len(svg.findall(f"{SVG_NS}polyline")) == 2 and len(svg.findall(f"{SVG_NS}circle")) == 7  # a gap
    assert "<td>132</td>" in (tmp_path / "debt-trend.html").read_text("utf-8")
