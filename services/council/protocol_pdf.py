"""The protocol as PDF (fpdf2), laid out like the DOCX, on the page
``services.documents.a4_pdf`` gives every document. Synchronous: callers run it in a thread."""

from __future__ import annotations

from services.council.protocol import ProtocolData
from services.documents import PDF_FAMILY as FAMILY
from services.documents import a4_pdf

SIGN_LINE = "________________"


def render_pdf(data: ProtocolData) -> bytes:
    pdf = a4_pdf(left=25)
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(0, 7, data.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 11)
    for line in data.header:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    for part in data.sections:
        pdf.ln(3)
        pdf.set_font(FAMILY, "B", 11)
        pdf.multi_cell(0, 6, part.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 11)
        for line in part.lines:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    third = (pdf.w - pdf.l_margin - pdf.r_margin) / 3
    for role, name in data.signatures:
        pdf.cell(third, 8, role)
        pdf.cell(third, 8, SIGN_LINE)
        pdf.cell(third, 8, name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_title(data.title)
    return bytes(pdf.output())
