"""The HTML drift report escapes every user value: column names, categories, text, segments, files."""

from html.parser import HTMLParser

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mldebt.drift.compare import Options, compare
from mldebt.report.drift_html import render_drift_html
from tests.support.cli import enter_tmp, run

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ATTRIBUTE = '" onmouseover="alert(2)'
SVG = "<svg onload=alert(3)>"
TEXT = "</p><script>alert(4)</script> spam"
ESCAPED = {SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;", IMG: "&lt;img src=x onerror=alert(1)&gt;",
           ATTRIBUTE: "&#34; onmouseover=&#34;alert(2)", SVG: "&lt;svg onload=alert(3)&gt;"}
# What the template itself ships: no script, no event handler, no image.
TEMPLATE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "code", "strong", "table",
                 "tr", "th", "td", "a", "span", "div", "svg", "rect", "line", "text",
                 "figure", "details", "summary", "polyline", "circle"}


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


def hostile_tables(rng: np.random.Generator, n: int = 600) -> tuple[pa.Table, pa.Table]:
    words = ["order", "late", "refund", "please", "help", "parcel"]

    def side(shift: float, categories: list[str], extra_word: str) -> pa.Table:
        docs = [" ".join(rng.choice([*words, extra_word], 6)) for _ in range(n)]
        return pa.table({SCRIPT: rng.normal(shift, 1, n), ATTRIBUTE: rng.normal(shift, 1, n),
                         "channel": rng.choice(categories, n), "message": docs,
                         "store": rng.choice([SVG, "north"], n)})

    return (side(0.0, [IMG, "web", "app"], "order"),
            side(1.0, [IMG, "web", "pos", SVG], TEXT))


def assert_escaped(html: str) -> None:
    for raw in (SCRIPT, IMG, ATTRIBUTE, SVG, "<script>alert(4)"):
        assert raw not in html
    for raw, escaped in ESCAPED.items():
        assert escaped in html, raw
    tags = elements(html)
    assert {tag for tag, _ in tags} <= TEMPLATE_TAGS
    assert [(tag, name) for tag, attrs in tags for name, _ in attrs if name.startswith("on")] == []


def test_hostile_names_categories_text_and_segments_render_escaped(rng):
    ref, cur = hostile_tables(rng)
    report = compare(ref, cur, Options(segment_by="store"))
    assert report.text and report.segments and {c.name for c in report.columns} >= {SCRIPT, ATTRIBUTE, "channel"}
    html = render_drift_html(report, f"{SVG}.parquet", "cur.parquet", SCRIPT)
    assert_escaped(html)
    assert f"<title>Drift report: {ESCAPED[SCRIPT]}</title>" in html
    assert f'title">reference and current distribution of {ESCAPED[ATTRIBUTE]}</title>' in html
    assert f'<th scope="row">{ESCAPED[IMG]}</th>' in html  # a category in the chart's data table
    assert "&lt;/p&gt;&lt;script&gt;alert(4)&lt;/script&gt; spam" not in html  # tokens are words, never markup
    assert f"<td>{ESCAPED[SVG]}</td>" in html  # the segment value


def test_hostile_file_names_render_escaped_through_the_cli(capsys, tmp_path, monkeypatch, rng):
    enter_tmp(tmp_path, monkeypatch)
    ref, cur = hostile_tables(rng)
    pq.write_table(ref, tmp_path / f"{SVG}.parquet")
    pq.write_table(cur, tmp_path / f"{IMG}.parquet")
    code, _, err = run(capsys, "drift", f"{SVG}.parquet", f"{IMG}.parquet", "--segment-by", "store",
                       "--format", "html", "-o", "report.html")
    assert (code, err.strip()) == (0, "wrote report.html")
    html = (tmp_path / "report.html").read_text("utf-8")
    assert_escaped(html)
    assert f"<code>{ESCAPED[SVG]}.parquet</code>" in html and f"<code>{ESCAPED[IMG]}.parquet</code>" in html
