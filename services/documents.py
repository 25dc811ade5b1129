"""What every generated document shares: a PDF page with a font that has Cyrillic, and a DOCX
paragraph in the letters' typeface. Letters, the shift report and the council's protocol are built
on these, so a font or a margin rule is fixed in one place.

The DejaVu fonts come with matplotlib (already a dependency for charts), so no font has to be
installed on the server. Synchronous, like the documents built on it: callers run them in a thread.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fpdf import FPDF

PDF_FAMILY = "DejaVu"
# ГОСТ Р 7.0.97-2016 documents are usually set in it; Word substitutes another font where it is missing.
DOCX_FONT = "Times New Roman"


@cache
def font_dir() -> Path:
    import matplotlib  # imported lazily: only the font files are needed

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def a4_pdf(*, left: float, top: float = 20, right: float = 15, landscape: bool = False) -> FPDF:
    """An A4 document with DejaVu (regular and bold) registered as ``PDF_FAMILY`` and a first page."""
    from fpdf import FPDF  # imported lazily: only document builders need it

    pdf = FPDF(orientation="L" if landscape else "P", format="A4")
    pdf.set_margins(left=left, top=top, right=right)
    pdf.set_auto_page_break(auto=True, margin=top)
    pdf.add_font(PDF_FAMILY, "", str(font_dir() / "DejaVuSans.ttf"))
    pdf.add_font(PDF_FAMILY, "B", str(font_dir() / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    return pdf


def docx_paragraph(
    doc: Any, text: str, *, bold: bool = False, size: int = 12, align: Any = None, space_after: int = 0
) -> Any:
    """A paragraph of one run in ``DOCX_FONT``."""
    from docx.shared import Pt  # imported lazily: only document builders need it

    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.font.size, run.font.name = bold, Pt(size), DOCX_FONT
    p.paragraph_format.space_after = Pt(space_after)
    if align is not None:
        p.alignment = align
    return p
