"""The board report as standalone HTML: escaped, self-contained (no network reference), its charts and
tables present, statuses in words, and a quarter without data or comparison said plainly."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest

from mldebt.errors import UserInputError
from mldebt.report.board_html import kpi_change, kpi_value, page_size_css, render_board_html
from tests.support.board_sample import SUMMARY, empty_report, full_report, no_previous_report

CHART_IDS = ["board-burn-down", "board-opened-resolved", "board-ageing", "board-incidents-category",
             "board-incidents-component", "board-drift", "board-test-scores"]
HOSTILE = "<script>alert('x')</script>"


class Outline(HTMLParser):
    """The headings (level, text) and every attribute that could load something (src, href, url())."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.loads: list[str] = []
        self._heading: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])
            self.headings.append((self._heading, ""))
        self.loads += [f"{name}={value}" for name, value in attrs if name in ("src", "href", "srcset", "data")]

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            level, text = self.headings[-1]
            self.headings[-1] = (level, text + data)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_full_report_has_every_section_in_heading_order():
    headings = outline(render_board_html(full_report())).headings
    assert [text for level, text in headings if level <= 2] == [
        "AI debt report 2026Q4", "Executive summary", "Key indicators", "Top 10 risks", "Remediation progress",
        "Where failures come from", "Appendix: how the figures are computed"]
    assert [level for level, _ in headings].count(1) == 1
    levels = [level for level, _ in headings]
    assert all(b <= a + 1 for a, b in pairwise(levels))


def test_title_page_names_the_store_the_comparison_and_the_moments():
    html = render_board_html(full_report())
    assert "<dt>Store</dt><dd>sqlite:///.mldebt/mldebt.db</dd>" in html
    assert "<dt>Compared with</dt><dd>2026Q3 (its frozen quarterly review)</dd>" in html
    assert "<dt>As of</dt><dd>2026-12-01 00:00 UTC</dd>" in html
    assert "<dt>Generated at</dt><dd>2026-12-01 09:30 UTC</dd>" in html
    assert "2026Q4: 2026-10-01 to 2026-12-31 (still running)" in html


def test_summary_sentences_and_kpi_statuses_are_words_not_only_colours():
    html = render_board_html(full_report())
    for sentence in SUMMARY:
        assert f"<p>{sentence}</p>" in html
    statuses = re.findall(r'<span class="status status-(\w+)">([^<]*)</span>', html)
    assert statuses == [("green", "green"), ("green", "green"), ("amber", "amber"), ("amber", "amber"),
                        ("red", "red"), ("green", "green"), ("amber", "amber"), ("red", "red"), ("green", "green")]


def test_charts_are_inline_svg_with_their_titles():
    html = render_board_html(full_report())
    assert re.findall(r'aria-labelledby="([\w-]+)-title"', html) == CHART_IDS
    assert html.count("<svg ") == 7


def test_top_risks_table_has_one_row_per_risk_with_reason_and_owner():
    html = render_board_html(full_report())
    rows = re.findall(r'<table class="risks">.*?</table>', html, re.S)[0].count("<tr>")
    assert rows == 11  # the header and ten risks
    assert ('<th scope="row">Chatbot answers from a stale product catalog<br><span class="reason">22 support '
            'tickets say the bot quoted prices or stock that had changed.</span></th>\n<td>support-bot</td>\n'
            '<td>no owner</td>\n<td class="num">$800-1.3k/month</td>\n<td class="num">8-16 h</td>\n'
            '<td class="num">22</td>') in html


def test_a_hostile_title_reason_and_store_are_escaped():
    report = full_report(store=HOSTILE, risks=[dataclasses.replace(full_report().risks[0], title=HOSTILE,
                                                                   reason=HOSTILE, owner=HOSTILE)],
                         summary=[HOSTILE], notes=[HOSTILE])
    html = render_board_html(report)
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") == 7  # store twice, title, reason, ...


def test_the_document_loads_nothing_from_the_network():
    html = render_board_html(full_report())
    assert outline(html).loads == []
    assert "url(" not in html and "@import" not in html and "<link" not in html
    assert set(re.findall(r"https?://[^\"'\s<]*", html)) == {"http://www.w3.org/2000/svg"}  # the SVG namespace


def test_the_stylesheet_is_embedded_with_the_page_size():
    a4, letter = render_board_html(full_report()), render_board_html(full_report(), "Letter")
    assert "@page { size: A4; }" in a4 and "@page { size: letter; }" in letter
    assert 'content: "page " counter(page) " of " counter(pages);' in a4
    assert ".running-header { position: running(header);" in a4


def test_an_empty_quarter_says_so_without_tables_of_zeros():
    html = render_board_html(empty_report())
    assert "<strong>No data for 2027Q1.</strong>" in html
    assert "<svg" not in html and 'class="kpis"' not in html and 'class="risks"' not in html
    assert [text for level, text in outline(html).headings if level <= 2] == [
        "AI debt report 2027Q1", "Executive summary", "Appendix: how the figures are computed"]
    assert "<li>No data was stored for 2027Q1; check that ingestion ran.</li>" in html


def test_without_a_previous_quarter_every_kpi_says_no_comparison():
    html = render_board_html(no_previous_report())
    table = re.findall(r'<table class="kpis">.*?</table>', html, re.S)[0]
    assert table.count("no comparison") == 9 * 3  # previous, change and status of each KPI
    assert "<dt>Compared with</dt><dd>2026Q3: no comparison, nothing is stored for it</dd>" in html


def test_no_overdue_review_is_a_note_saying_none_are_recorded():
    report = full_report(failures=dataclasses.replace(full_report().failures, overdue_reviews=[]))
    assert "<p>None recorded: the inventory records no review dates that are past due.</p>" in \
        render_board_html(report)


def test_appendix_lists_every_kpi_definition_and_the_model_parameters():
    html = render_board_html(full_report())
    appendix = html[html.index('id="appendix-h"'):]
    assert appendix.count("<tr><th scope=\"row\">") == 9 + 6
    assert '<tr><th scope="row">engineer_hour</th><td>95</td></tr>' in appendix


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (0.912, "share", "91.2%"), (6.5, "hours", "6.5 h"), (0.74, "score 0-1", "0.74"), (42, "tickets", "42 tickets"),
    (None, "share", "no data")])
def test_kpi_values_are_shown_in_their_unit(value, unit, shown):
    assert kpi_value(value, unit) == shown


@pytest.mark.parametrize(("change", "unit", "shown"), [
    (-0.043, "share", "down 4.3 pts"), (2.0, "tickets", "up 2"), (0.0, "hours", "unchanged"),
    (None, "hours", "no comparison")])
def test_kpi_changes_say_their_direction_in_words(change, unit, shown):
    assert kpi_change(change, unit) == shown


def test_page_size_is_a4_or_letter_only():
    assert (page_size_css("a4"), page_size_css("LETTER")) == ("A4", "letter")
    with pytest.raises(UserInputError, match=r"^--page-size: unknown page size 'A3', expected A4 or Letter$"):
        render_board_html(full_report(), "A3")
