"""The board report as PDF (WeasyPrint), read back with poppler: the figures are in the text, the pages
have the size asked for and are numbered "page N of M" after the unnumbered title page, the running
header names the store and quarter, no page is blank and no table row is split across two pages."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest

from mldebt.errors import EXIT_USAGE, PdfUnavailableError
from mldebt.report.board_pdf import PDF_PACKAGES, render_board_pdf
from tests.support.board_sample import SUMMARY, empty_report, full_report, no_previous_report
from tests.support.pdf_tools import dark_pixels_per_page, pdf_info, pdf_pages_text, require_poppler

HEADER = "mldebt · AI debt report 2026Q4 · sqlite:///.mldebt/mldebt.db"


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each sample rendered once: A4, Letter, the empty quarter, no previous quarter."""
    require_poppler()
    folder = tmp_path_factory.mktemp("board-pdf")
    written = {}
    for name, report, size in (("a4", full_report(), "A4"), ("letter", full_report(), "Letter"),
                               ("empty", empty_report(), "A4"), ("no_previous", no_previous_report(), "A4")):
        path = folder / f"{name}.pdf"
        path.write_bytes(render_board_pdf(report, size))
        written[name] = path
    return written


def test_a4_report_has_nine_a4_pages(pdfs):
    info = pdf_info(pdfs["a4"])
    assert (info["Pages"], info["Page size"]) == ("9", "595.276 x 841.89 pts (A4)")


def test_letter_report_has_letter_pages(pdfs):
    info = pdf_info(pdfs["letter"])
    assert (info["Pages"], info["Page size"]) == ("10", "612 x 792 pts (letter)")


def test_key_figures_of_the_report_are_in_the_pdf_text(pdfs):
    text = " ".join(pdf_pages_text(pdfs["a4"]))
    for sentence in SUMMARY:
        assert sentence in text
    assert "Automated test pass rate of AI pipelines 91.2% 95.5% down 4.3 pts higher amber" in text
    risks = pdf_pages_text(pdfs["a4"])[3]  # pdftotext reads a table cell by cell, a wrapped hyphen dropped
    assert "1 Checkout fraud model has no drift monitoring fraud-model riskteam $2.1k-3.4k/month 16-32 h 14" in risks
    assert "14 chargeback incidents in 90 days trace to unmonitored drift in the fraud scores." in risks
    assert "Interest removed: $2.1k-3.5k/month, for 96 h of work." in text
    assert "Return on remediation: $22-36 of interest per month avoided for each hour of work." in text


def test_title_page_has_no_header_or_number_and_every_other_page_has_both(pdfs):
    pages = pdf_pages_text(pdfs["a4"])
    assert len(pages) == 9
    assert pages[0].startswith("MLDEBT AI debt report 2026Q4")
    assert HEADER not in pages[0] and "page " not in pages[0]
    for number, page in enumerate(pages[1:], 2):
        assert page.startswith(HEADER), number
        assert page.endswith(f"page {number} of 9"), number


def test_letter_pages_are_numbered_of_ten(pdfs):
    pages = pdf_pages_text(pdfs["letter"])
    assert [re.findall(r"page \d+ of \d+", page) for page in pages] == [[]] + [[f"page {n} of 10"]
                                                                              for n in range(2, 11)]


def test_no_page_is_blank(pdfs, tmp_path):
    for name in ("a4", "letter", "empty"):
        folder = tmp_path / name
        folder.mkdir()
        counts = dark_pixels_per_page(pdfs[name], folder)
        assert len(counts) == int(pdf_info(pdfs[name])["Pages"])
        assert all(count > 0 for count in counts), (name, counts)


def test_a_quarter_without_data_is_a_short_report_saying_so(pdfs):
    pages = pdf_pages_text(pdfs["empty"])
    text = " ".join(pages)
    assert len(pages) == 3
    assert "No data for 2027Q1. Nothing was recorded in the quarter" in text
    assert "Key indicators" not in text and "Top 10 risks" not in text and "Remediation progress" not in text
    assert "Appendix: how the figures are computed" in text and "MTTR of AI incidents hours" in text


def test_without_a_previous_quarter_the_kpis_say_no_comparison(pdfs):
    text = " ".join(pdf_pages_text(pdfs["no_previous"]))
    assert "2026Q3: no comparison, nothing is stored for it" in text
    assert "MTTR of AI incidents 6.5 h no comparison no comparison lower no comparison" in text


def test_no_row_of_a_forty_row_table_is_split_across_pages(tmp_path):
    require_poppler()
    base = full_report().risks[0]
    risks = [dataclasses.replace(base, rank=i, title=f"Risk number {i} begins",
                                 reason=f"a reason long enough to wrap onto a second and a third line of the "
                                        f"table cell, so that a split row would show it, ends here {i}.")
             for i in range(1, 41)]
    pdf = tmp_path / "forty.pdf"
    pdf.write_bytes(render_board_pdf(full_report(risks=risks)))
    pages = pdf_pages_text(pdf)
    for i in range(1, 41):
        holding = [n for n, page in enumerate(pages) if f"Risk number {i} begins" in page]
        assert len(holding) == 1, i
        assert f"ends here {i}." in pages[holding[0]], i
    risk_pages = {n for n, page in enumerate(pages) if "Risk number" in page}
    assert len(risk_pages) >= 3  # the table really spans pages


def test_print_css_keeps_rows_figures_and_charts_whole():
    from importlib.resources import files

    css = files("mldebt.report").joinpath("templates/board.css").read_text("utf-8")
    rule = re.search(r"^tr, figure, svg, \.keep \{([^}]*)\}", css, re.M)
    assert rule is not None
    assert "break-inside: avoid;" in rule.group(1)
    assert "display: flex" not in css and "display: grid" not in css


def test_weasyprint_that_cannot_load_is_one_clear_error_naming_the_packages(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` raises ImportError
    with pytest.raises(PdfUnavailableError) as caught:
        render_board_pdf(full_report())
    message = caught.value.message
    assert message.startswith("cannot write PDF: WeasyPrint does not load (")
    assert message.endswith(f"install the Debian packages {PDF_PACKAGES} (scripts/ensure-services as root), "
                            "or use --format html")
    assert "\n" not in message and caught.value.exit_code == EXIT_USAGE
    assert PDF_PACKAGES == "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
