"""The board report as PDF: the standalone HTML of `report.board_html`, laid out by WeasyPrint.

The print rules are in `templates/board.css`: the page size (A4 or letter), a running header with the
store and quarter, "page N of M" at the bottom right, a title page without either, and no table row,
figure or chart split across pages. WeasyPrint is imported inside the function: it is heavy, and it
needs Debian's pango, which a machine may lack; then the error names the packages to install.
"""

from __future__ import annotations

from typing import Any

from mldebt.errors import PdfUnavailableError
from mldebt.report.board_html import render_board_html
from mldebt.service.board_model import BoardReport

PDF_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"


def load_weasyprint() -> Any:
    """WeasyPrint's HTML class, or a PdfUnavailableError naming the Debian packages that are missing."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: "cannot load library 'libpango-1.0-0'"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PdfUnavailableError(
            f"cannot write PDF: WeasyPrint does not load ({reason[:120]}); install the Debian packages "
            f"{PDF_PACKAGES} (scripts/ensure-services as root), or use --format html") from None
    return HTML


def render_board_pdf(report: BoardReport, page_size: str = "A4") -> bytes:
    """The report as PDF bytes on A4 or Letter pages (a UserInputError for any other size)."""
    html = render_board_html(report, page_size)
    document = load_weasyprint()(string=html)
    pdf: bytes = document.write_pdf()
    return pdf
