"""A letter as a Word document (python-docx): letterhead, numbers, addressee, text, signature.

Synchronous and CPU-bound: callers run it in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from services.documents import docx_paragraph
from services.letters.content import LetterContent, header_lines


def render_docx(content: LetterContent) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)

    # Letterhead on the left, the addressee on the right: a borderless two-column table.
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.paragraphs[0].add_run(content.letterhead.name or "").bold = True
    for line in header_lines(content.letterhead, content.labels):
        left.add_paragraph(line).runs[0].font.size = Pt(9)
    left.add_paragraph(content.labels.number).runs[0].font.size = Pt(10)
    if content.labels.reply_to:
        left.add_paragraph(content.labels.reply_to).runs[0].font.size = Pt(10)
    for i, line in enumerate(content.recipient_lines):
        paragraph = right.paragraphs[0] if i == 0 else right.add_paragraph()
        paragraph.add_run(line)

    docx_paragraph(doc, "", space_after=6)
    docx_paragraph(doc, content.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    for text in content.paragraphs:
        p = docx_paragraph(doc, text, size=13, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=6)
        p.paragraph_format.first_line_indent = Cm(1.25)
    if content.enclosures:
        docx_paragraph(doc, content.labels.enclosures, space_after=0)
        for n, name in enumerate(content.enclosures, 1):
            docx_paragraph(doc, f"{n}. {name}")

    docx_paragraph(doc, "", space_after=18)
    signature = doc.add_table(rows=1, cols=2)
    position, name = signature.rows[0].cells
    position.paragraphs[0].add_run(content.signer_position)
    name.paragraphs[0].add_run(content.signer_name)
    name.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    core = doc.core_properties
    core.title = content.title
    core.author = content.letterhead.name or ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
