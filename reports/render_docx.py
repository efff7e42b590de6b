"""Render a :class:`Document` as a Word file (python-docx): headings, tables, charts."""

from __future__ import annotations

import io
import re

from docx import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from reports.document import Bullets, Document, Figure, Subheading, Table

EAST_ASIAN_FONT = "SimSun"
"""Font Word uses for Chinese text (宋体, present on every Chinese Windows)."""


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def docx_text(text: object) -> str:
    """Text Word can hold: characters XML does not allow (control characters other than tab,
    line feed and carriage return; unpaired surrogates) become U+FFFD. Names and notes come
    from plan and scenario files, which are not trusted."""
    return _NOT_XML.sub("\ufffd", str(text))


def _bullet(word, sect, text: str, style_id: str) -> None:
    """A bulleted paragraph at the end of the body, added in constant time (python-docx's own
    ``add_paragraph`` looks up the style by name and scans the body for each paragraph, which
    takes minutes for the tens of thousands of evidence lines a long drill can have)."""
    p = OxmlElement("w:p")
    if sect is not None:
        sect.addprevious(p)
    else:
        word.element.body.append(p)
    p.get_or_add_pPr().style = style_id
    Paragraph(p, word._body).add_run(text)


def render(doc: Document) -> bytes:
    """The .docx file's bytes (every text passed through :func:`docx_text`)."""
    word = WordDocument()
    style = word.styles["Normal"]
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    word.add_heading(docx_text(doc.title), level=0)
    word.add_paragraph(docx_text(doc.subtitle))
    for section in doc.sections:
        word.add_heading(docx_text(section.title), level=1)
        for block in section.blocks:
            if isinstance(block, Table):
                table = word.add_table(rows=1, cols=len(block.columns))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, block.columns, strict=True):
                    cell.text = docx_text(text)
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
                for row in block.rows:
                    cells = table.add_row().cells
                    for cell, text in zip(cells, row, strict=True):
                        cell.text = docx_text(text)
            elif isinstance(block, Figure):
                word.add_picture(io.BytesIO(block.png), width=Cm(16))
                word.add_paragraph(docx_text(block.caption))
            elif isinstance(block, Subheading):
                word.add_heading(docx_text(block.text), level=2)
            elif isinstance(block, Bullets):
                bullet = word.styles["List Bullet"].style_id
                sect = word.element.body.sectPr
                for item in block.items:
                    _bullet(word, sect, docx_text(item), bullet)
            else:
                word.add_paragraph(docx_text(block))
    if doc.footer:
        word.add_paragraph(docx_text(doc.footer))
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue()
