"""render_board_markdown: the board report as GitHub Markdown, exact, escaped and table-consistent."""

import dataclasses
import re

from markdown_it import MarkdownIt

from mldebt.report.board_md import MAX_CELL, escape, render_board_markdown, table
from mldebt.service.board_model import GREEN, RED
from tests.support.board_md_sample import empty_report, risk, sample_report

EXPECTED = """\
# AI debt report 2026Q4

- Store: sqlite:///board.db
- Quarter: 2026Q4, 2026-10-01 to 2026-12-31 (still running)
- Compared with: 2026Q3 (its frozen quarterly review)
- As of: 2026-11-15 12:00 UTC
- Generated: 2026-11-15 12:05 UTC

## Executive summary

- Open debt fell from 12 to 9 items since 2026Q3.
- Delay costs $2.1k-4.3k per month, down from $3k-5.6k.

## KPIs

| KPI | value | previous | change | direction | status |
|---|---|---|---|---|---|
| MTTR of AI incidents | 5.5 h | 7.5 h | -2.0 h | down; lower is better | green |
| Automated test pass rate of AI pipelines | 90.0% | 95.0% | -5.0 pp | down; higher is better | amber |
| Support tickets linked to AI errors | 30 | 20 | +10 | up; lower is better | red |
| Satisfaction per AI feature | 0.80 | - | - | higher is better | no comparison |

Open debt: 9 items, interest $2.1k-4.3k/month (2026Q3: 12 items, $3k-5.6k/month).

### Satisfaction per AI feature: by component

| component | score 0-1 |
|---|---|
| chatbot | 0.75 |
| search | - |

## Top 10 risks

| rank | item | title | component | owner | category | interest per month | effort | evidence | why |
|---|---|---|---|---|---|---|---|---|---|
| 1 | 41 | Stale intent model | chatbot | ml-team | model | $1.3k-2.6k/month | 4-12 h | 7 | 12 model errors in 90 days |
| 2 | 42 | Unpinned feature pipeline | search | unassigned | data | $400/month | 2 h | 1 | drift alerts on 3 columns |

## Remediation progress

- Opened in the quarter: 3 items; resolved: 3
- Interest removed: $900-1.5k/month (the last scored interest of the items resolved)
- Effort spent: 18 h (midpoint estimates of the items resolved)
- Return on the remediation (interest avoided per month / effort spent): $50-83/month per hour

### Burn-down by week

| week ending | opened | resolved | open at the end |
|---|---|---|---|
| 2026-10-04 | 2 | 0 | 11 |
| 2026-10-11 | 1 | 3 | 9 |

### Ageing of open debt

| age | open items |
|---|---|
| &lt; 30 days | 3 |
| 30-90 days | 4 |
| 90-180 days | 2 |
| &gt; 180 days | 0 |

## Where failures come from

### Incidents by failure category

| category | incidents |
|---|---|
| model-error | 5 |
| latency | 2 |

### Incidents by component

| component | incidents |
|---|---|
| chatbot | 6 |
| search | 1 |

### Recurring failures

| component | failure | occurrences |
|---|---|---|
| chatbot | Intent model timeout | 4 |

### Drift alerts

| component | drift runs | alerts | last run |
|---|---|---|---|
| search | 6 | 2 | 2026-11-02 09:30 UTC |

### ML Test Score per component

| component | ML Test Score |
|---|---|
| search | not scored |
| chatbot | 2.5 |

### Overdue governance reviews

| component | review | due |
|---|---|---|
| chatbot | model card review | 2026-10-20 |

## Appendix

### KPI definitions

| KPI | unit | definition |
|---|---|---|
| MTTR of AI incidents | hours | Mean hours from opened to resolved. |
| Open debt | items | Active debt items at the end of the quarter. |

### Prioritization model

| parameter | value |
|---|---|
| priority | interest per week / effort hours |
| rates.currency | USD |
| rates.incident\\_hour | 300 |
| defaults\\_used | incident\\_hour |

## Notes

- No coverage report was recorded in 2026Q4.
"""

EXPECTED_EMPTY = """\
# AI debt report 2026Q4

- Store: sqlite:///board.db
- Quarter: 2026Q4, 2026-10-01 to 2026-12-31 (still running)
- Compared with: 2026Q3 (nothing is stored for it: no comparison)
- As of: 2026-11-15 12:00 UTC
- Generated: 2026-11-15 12:05 UTC

No data is recorded for 2026Q4 (2026-10-01 to 2026-12-31): no incidents, tickets, feedback, findings or debt.

## Appendix

### KPI definitions

| KPI | unit | definition |
|---|---|---|
| MTTR of AI incidents | hours | Mean hours from opened to resolved. |
| Open debt | items | Active debt items at the end of the quarter. |

### Prioritization model

| parameter | value |
|---|---|
| priority | interest per week / effort hours |
| rates.currency | USD |
| rates.incident\\_hour | 300 |
| defaults\\_used | incident\\_hour |
"""

SECTIONS = ["# AI debt report 2026Q4", "## Executive summary", "## KPIs", "## Top 10 risks",
            "## Remediation progress", "## Where failures come from", "## Appendix", "## Notes"]


def _tables(markdown: str) -> list[list[str]]:
    """Each block of consecutive lines starting with `|`."""
    blocks: list[list[str]] = []
    previous_was_row = False
    for line in markdown.splitlines():
        row = line.startswith("|")
        if row and not previous_was_row:
            blocks.append([])
        if row:
            blocks[-1].append(line)
        previous_was_row = row
    return blocks


def _unescaped_pipes(line: str) -> int:
    """Pipes not preceded by an odd number of backslashes (the ones that split GFM cells)."""
    return len(re.findall(r"(?<!\\)(?:\\\\)*\|", line))


def _assert_tables_are_consistent(markdown: str) -> int:
    blocks = _tables(markdown)
    for block in blocks:
        width = _unescaped_pipes(block[0])
        assert re.fullmatch(r"\|(---\|)+", block[1]), block[1]
        assert [_unescaped_pipes(line) for line in block] == [width] * len(block), block
    return len(blocks)


def _html(markdown: str) -> str:
    """What a CommonMark renderer with GFM tables and raw HTML allowed (as wikis do) makes of it."""
    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_sample_report_renders_exactly():
    assert render_board_markdown(sample_report()) == EXPECTED


def test_every_section_heading_is_present_in_order():
    lines = render_board_markdown(sample_report()).splitlines()
    positions = [lines.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    assert [line for line in lines if line.startswith("# ")] == ["# AI debt report 2026Q4"]


def test_every_table_row_has_the_header_column_count():
    assert _assert_tables_are_consistent(EXPECTED) == 13


def test_output_holds_no_html_and_renders_as_tables():
    html = _html(render_board_markdown(sample_report()))
    assert html.count("<table>") == 13
    tags = set(re.findall(r"</?([a-z0-9]+)", html))
    assert tags == {"h1", "h2", "h3", "ul", "li", "p", "table", "thead", "tbody", "tr", "th", "td"}


HOSTILE_TITLE = "a | b\nc <script>alert(1)</script> [x](javascript:alert(1)) **bold** `code` # h _i_ ~s~ & \\"


def test_hostile_text_is_escaped_in_cells_and_lists():
    report = sample_report(
        store="sqlite:///x|y.db\n# owned", summary=["<img src=x onerror=alert(1)> [click](javascript:alert(1))"],
        risks=[risk(1, HOSTILE_TITLE, "chat|bot\r\n<b>", owner="[me](http://evil)", reason="line1\nline2 | x")],
        notes=["<script>alert(2)</script>"])
    markdown = render_board_markdown(report)
    assert ("| 1 | 41 | a \\| b c &lt;script&gt;alert\\(1\\)&lt;/script&gt; \\[x\\]\\(javascript:alert\\(1\\)\\) "
            "\\*\\*bold\\*\\* \\`code\\` \\# h \\_i\\_ \\~s\\~ &amp; \\\\ | chat\\|bot &lt;b&gt; | "
            "\\[me\\]\\(http://evil\\) | model | $1.3k-2.6k/month | 4-12 h | 7 | line1 line2 \\| x |") in markdown
    assert "- Store: sqlite:///x\\|y.db \\# owned" in markdown
    assert "- &lt;img src=x onerror=alert\\(1\\)&gt; \\[click\\]\\(javascript:alert\\(1\\)\\)" in markdown
    assert "- &lt;script&gt;alert\\(2\\)&lt;/script&gt;" in markdown
    _assert_tables_are_consistent(markdown)
    html = _html(markdown)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "<a " not in html and "<strong>" not in html and "<code>" not in html and "<em>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) **bold** `code` # h _i_ ~s~" in html


def test_escape_keeps_plain_text_and_bounds_its_length():
    assert escape("chatbot intent-model 2026-10-01 $1.2k/month 95.0%") == (
        "chatbot intent-model 2026-10-01 $1.2k/month 95.0%")
    long = escape("x" * 500)
    assert long == "x" * (MAX_CELL - 1) + "…"
    assert escape("*" * 500) == "\\*" * (MAX_CELL - 1) + "…"  # bounded before escaping: no cut escape
    assert escape("tab\there\x1b[2J\u2028end") == "tab here \\[2J end"


def test_table_helper_escapes_every_cell_and_refuses_a_ragged_row():
    assert table(["a", "b|c"], [["1", "x\ny"], [2, None]]) == [
        "| a | b\\|c |", "|---|---|", "| 1 | x y |", "| 2 | None |", ""]
    try:
        table(["a", "b"], [["1"]])
    except ValueError as error:
        assert str(error) == "a row of 1 cells under a header of 2"
    else:
        raise AssertionError("a ragged row was accepted")


def test_quarter_without_data_is_the_title_one_sentence_and_the_appendix():
    markdown = render_board_markdown(empty_report())
    assert markdown == EXPECTED_EMPTY
    assert [line for line in markdown.splitlines() if line.startswith("## ")] == ["## Appendix"]
    assert "| 0 |" not in markdown


def test_without_a_previous_quarter_every_kpi_shows_no_comparison():
    report = sample_report(has_previous=False, compare_source="none", open_debt_items_previous=None,
                           interest_month_previous=None)
    lines = render_board_markdown(report).splitlines()
    start = lines.index("| KPI | value | previous | change | direction | status |")
    assert lines[start + 2:start + 6] == [
        "| MTTR of AI incidents | 5.5 h | - | - | lower is better | no comparison |",
        "| Automated test pass rate of AI pipelines | 90.0% | - | - | higher is better | no comparison |",
        "| Support tickets linked to AI errors | 30 | - | - | lower is better | no comparison |",
        "| Satisfaction per AI feature | 0.80 | - | - | higher is better | no comparison |"]
    assert "- Compared with: 2026Q3 (nothing is stored for it: no comparison)" in lines
    assert "Open debt: 9 items, interest $2.1k-4.3k/month." in lines


def test_status_words_follow_the_model_and_a_computed_comparison_and_a_complete_quarter_are_named():
    kpis = [dataclasses.replace(k, status=RED if k.status == GREEN else k.status) for k in sample_report().kpis]
    markdown = render_board_markdown(sample_report(kpis=kpis, compare_source="computed", complete=True))
    assert "- Quarter: 2026Q4, 2026-10-01 to 2026-12-31 (complete)" in markdown
    assert "| MTTR of AI incidents | 5.5 h | 7.5 h | -2.0 h | down; lower is better | red |" in markdown
    assert "- Compared with: 2026Q3 (computed from the store)" in markdown


def test_a_report_without_return_per_hour_or_risks_says_so():
    progress = dataclasses.replace(sample_report().progress, return_per_hour=None, effort_spent_hours=0.0)
    markdown = render_board_markdown(sample_report(progress=progress, risks=[]))
    assert "- Return on the remediation (interest avoided per month / effort spent): not computed: the items " \
           "resolved record no effort" in markdown
    assert "## Top 10 risks\n\nNo open debt item is priced in the quarter.\n" in markdown


def test_money_is_a_monthly_range_in_the_report_currency():
    eur = dataclasses.replace(sample_report().risks[0], interest_month=dataclasses.replace(
        sample_report().risks[0].interest_month, currency="CHF", low=1234.0, high=98765.0))
    markdown = render_board_markdown(sample_report(risks=[eur]))
    assert "| model | 1.2k-99k CHF/month | 4-12 h |" in markdown
