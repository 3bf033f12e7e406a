"""Reading a PDF back in tests with poppler: its text (pdftotext), page count and size (pdfinfo), and
whether any page is blank (pdftoppm at 20 dpi, read as PPM with the standard library).

Missing poppler skips locally and fails under CI=true (`tests.conftest.missing_service`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import missing_service

TOOLS = ("pdftotext", "pdfinfo", "pdftoppm")


def require_poppler() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        missing_service(f"{', '.join(missing)} not installed (poppler-utils); run scripts/ensure-services as root")


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of each page, whitespace collapsed to single spaces (so wrapped lines read as sentences)."""
    pages = _run("pdftotext", str(pdf), "-").split("\f")
    if pages and pages[-1].strip() == "":  # pdftotext ends every page with a form feed
        pages = pages[:-1]
    return [" ".join(page.split()) for page in pages]


def pdf_info(pdf: Path) -> dict[str, str]:
    """pdfinfo's `Key: value` lines."""
    info = {}
    for line in _run("pdfinfo", str(pdf)).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def read_ppm(path: Path) -> tuple[int, int, bytes]:
    """(width, height, RGB bytes) of a binary PPM (P6, maxval 255) as pdftoppm writes it."""
    data = path.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    magic, width, height, maxval = fields
    assert (magic, maxval) == (b"P6", b"255"), (magic, maxval)
    pixels = data[pos + 1:]
    assert len(pixels) == int(width) * int(height) * 3
    return int(width), int(height), pixels


def dark_pixels_per_page(pdf: Path, folder: Path) -> list[int]:
    """How many pixels of each page (rendered at 20 dpi) are not near-white: 0 means a blank page."""
    _run("pdftoppm", "-r", "20", str(pdf), str(folder / "page"))
    counts = []
    for page in sorted(folder.glob("page-*.ppm"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        _, _, pixels = read_ppm(page)
        counts.append(sum(1 for i in range(0, len(pixels), 3) if min(pixels[i:i + 3]) < 200))
    return counts
