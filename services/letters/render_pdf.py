"""A letter as PDF (fpdf2), laid out like the DOCX one, with a font that has Cyrillic.

The page and its fonts are ``services.documents.a4_pdf``. Synchronous: callers run it in a thread.
"""

from __future__ import annotations

from fpdf import FPDF

from services.documents import PDF_FAMILY, a4_pdf
from services.letters.content import LetterContent, header_lines

FAMILY = PDF_FAMILY


def _pdf() -> FPDF:
    return a4_pdf(left=30)


def render_pdf(content: LetterContent) -> bytes:
    pdf = _pdf()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(half - 4, 5, content.letterhead.name or "", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 8)
    for line in header_lines(content.letterhead, content.labels):
        pdf.multi_cell(half - 4, 4, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.ln(2)
    pdf.multi_cell(half - 4, 5, content.labels.number, new_x="LMARGIN", new_y="NEXT")
    if content.labels.reply_to:
        pdf.multi_cell(half - 4, 5, content.labels.reply_to, new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()

    pdf.set_xy(pdf.l_margin + half + 4, top)
    pdf.set_font(FAMILY, "", 11)
    for line in content.recipient_lines:
        pdf.set_x(pdf.l_margin + half + 4)
        pdf.multi_cell(half - 4, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 10)

    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 6, content.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 11)
    for text in content.paragraphs:
        pdf.multi_cell(0, 6, "      " + text, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if content.enclosures:
        pdf.ln(2)
        pdf.multi_cell(0, 6, content.labels.enclosures, new_x="LMARGIN", new_y="NEXT")
        for n, name in enumerate(content.enclosures, 1):
            pdf.multi_cell(0, 6, f"{n}. {name}", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(12)
    y = pdf.get_y()
    pdf.multi_cell(half, 6, content.signer_position, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, y)
    pdf.multi_cell(half, 6, content.signer_name, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_title(content.title)
    pdf.set_author(content.letterhead.name or "")
    return bytes(pdf.output())
