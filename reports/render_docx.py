"""Render a :class:`Document` as a Word file in the form offices use (python-docx).

Page and type after GB/T 9704-2012 (``reports/data/docx_style.yaml``): A4 with the standard's
margins; a title block (the title in a Song face, the organising unit and date beneath it);
body text in FangSong with a two-character indent; headings in Hei (first level) and Kai
(second level), black, with the East-Asian face named in every style; page numbers at the foot
as "— 1 —"; tables whose column widths follow their content; charts as wide as the text block.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from reports.document import Bullets, Document, Figure, Link, Subheading, Table
from sim.core.yamlio import load_file

STYLE_FILE = Path(__file__).parent / "data" / "docx_style.yaml"
EAST_ASIAN_FONT = "仿宋"
"""The body's East-Asian face (the ``body`` font of the style file)."""


@lru_cache(maxsize=1)
def style() -> dict[str, Any]:
    """Page, fonts and spacing of the Word report."""
    return load_file(STYLE_FILE).data


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def docx_text(text: object) -> str:
    """Text Word can hold: characters XML does not allow (control characters other than tab,
    line feed and carriage return; unpaired surrogates) become U+FFFD. Names and notes come
    from plan and scenario files, which are not trusted."""
    return _NOT_XML.sub("\ufffd", str(text))


def _set_fonts(rpr_owner, role: str, bold: bool | None = None) -> None:
    """Name the Latin and East-Asian faces of a style or run (dropping theme fonts, which
    would override them), its size, and black text."""
    spec = style()["fonts"][role]
    font = rpr_owner.font
    font.name = style()["latin"]
    font.size = Pt(spec["size_pt"])
    font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        font.bold = bold
    rfonts = rpr_owner.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:eastAsia"), spec["east_asia"])
    rfonts.set(qn("w:hint"), "eastAsia")
    color = rpr_owner.element.rPr.find(qn("w:color"))
    if color is not None:
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)


def _font_table(word) -> None:
    """Declare each East-Asian face in the font table with its other names (``w:altName``),
    the GB2312 character set and its family, so a machine without it substitutes a Chinese
    face of the same kind."""
    part = next((p for p in word.part.package.parts if str(p.partname) == "/word/fontTable.xml"),
                None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for role, spec in style()["fonts"].items():
        name = spec["east_asia"]
        if name in have:
            continue
        have.add(name)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt = etree.SubElement(font, qn("w:altName"))
        alt.set(qn("w:val"), ",".join(spec["alt"]))
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")
        family = etree.SubElement(font, qn("w:family"))
        family.set(qn("w:val"), "modern" if role == "heading1" else "roman")
        pitch = etree.SubElement(font, qn("w:pitch"))
        pitch.set(qn("w:val"), "variable")
    # python-docx keeps parts it does not model as bytes: replace them with the new table
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(word) -> None:
    p = style()["page"]
    for section in word.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(p["width_mm"]), Mm(p["height_mm"])
        section.top_margin, section.bottom_margin = Mm(p["top_mm"]), Mm(p["bottom_mm"])
        section.left_margin, section.right_margin = Mm(p["left_mm"]), Mm(p["right_mm"])
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.paragraph_format.first_line_indent = Pt(0)
        _page_number(footer)


def _page_number(paragraph: Paragraph) -> None:
    """``— N —`` with N a PAGE field Word fills in."""
    def run(text: str = ""):
        r = paragraph.add_run(text)
        _set_fonts(r, "page_number")
        return r

    run("— ")
    r = run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        r._r.append(el)
    run(" —")


def _styles(word) -> dict[str, str]:
    """Set the styles; return the style ids the body uses."""
    s = style()
    normal = word.styles["Normal"]
    _set_fonts(normal, "body")
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(s["line_spacing_pt"])
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(s["fonts"]["body"]["size_pt"] * s["first_line_indent_chars"])
    for name, role in (("Title", "title"), ("Heading 1", "heading1"), ("Heading 2", "heading2")):
        st = word.styles[name]
        _set_fonts(st, role, bold=False)
        st.paragraph_format.first_line_indent = Pt(0) if name == "Title" else \
            Pt(s["fonts"]["body"]["size_pt"] * s["first_line_indent_chars"])
        st.paragraph_format.space_before = Pt(0)
        st.paragraph_format.space_after = Pt(0)
        st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        st.paragraph_format.line_spacing = Pt(s["line_spacing_pt"] if name != "Title" else
                                              s["fonts"]["title"]["size_pt"] * 1.6)
        ppr = st.element.get_or_add_pPr()
        border = ppr.find(qn("w:pBdr"))  # the template's title rule
        if border is not None:
            ppr.remove(border)
    word.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    bullet = word.styles["List Bullet"]
    _set_fonts(bullet, "body")
    bullet.paragraph_format.first_line_indent = Pt(0)
    return {"bullet": bullet.style_id}


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


def text_width(text: str) -> int:
    """How wide a text prints, in half-width characters (a Chinese character counts two)."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def column_widths(columns: list[str], rows: list[list[str]], total_mm: float) -> list[float]:
    """Column widths in millimetres that follow the content: each column's share is its
    widest cell (headings included, long cells capped as they will wrap), with a floor so a
    one-letter column still holds its heading on two lines."""
    weights = []
    for j, head in enumerate(columns):
        widest = max([text_width(r[j]) for r in rows if j < len(r)] + [0])
        weights.append(min(max(widest, (text_width(head) + 1) // 2, 4), 40))
    total = sum(weights) or 1
    return [total_mm * w / total for w in weights]


def _table(word, block: Table) -> None:
    s = style()
    total = s["page"]["width_mm"] - s["page"]["left_mm"] - s["page"]["right_mm"]
    widths = column_widths(block.columns, block.rows, total)
    table = word.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(Mm(w).twips)))

    def fill(cells, texts, bold: bool) -> None:
        for cell, text, w in zip(cells, texts, widths, strict=True):
            cell.width = Mm(w)
            p = cell.paragraphs[0]
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            run = p.add_run(docx_text(text))
            _set_fonts(run, "table", bold=bold)
            if bold:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    fill(table.rows[0].cells, block.columns, True)
    template = None   # the first plain data row, as XML, copied for the rows after it
    for row in block.rows:
        texts = [docx_text(t) for t in row]
        if template is not None and len(texts) == len(widths) and \
                not any(_NOT_PLAIN.search(t) for t in texts):
            # a copy of a formatted row with only its texts changed: the same XML python-docx
            # writes for each cell, without rebuilding it run by run (a 10,000-row table
            # otherwise takes most of the time of writing the document)
            tr = copy.deepcopy(template)
            for t_el, text in zip(list(tr.iter(qn("w:t"))), texts, strict=True):
                if text:
                    t_el.text = text
                else:   # an empty cell holds a run without text, as python-docx writes it
                    t_el.getparent().remove(t_el)
            table._tbl.append(tr)
            continue
        new = table.add_row()
        fill(new.cells, row, False)
        if template is None and len(texts) == len(widths) and all(texts) and \
                not any(_NOT_PLAIN.search(t) for t in texts):
            template = copy.deepcopy(new._tr)
            for t_el in template.iter(qn("w:t")):
                t_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


_NOT_PLAIN = re.compile(r"[\t\n\r]")
"""Text python-docx writes as more than one element (a tab, a line break): written run by run."""


def render(doc: Document) -> bytes:
    """The .docx file's bytes (every text passed through :func:`docx_text`)."""
    word = WordDocument()
    ids = _styles(word)
    _page(word)
    _font_table(word)
    s = style()
    word.add_paragraph(docx_text(doc.title), style="Title")
    if doc.org or doc.date:
        p = word.add_paragraph(docx_text("　".join(x for x in (doc.org, doc.date) if x)))
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
    if doc.subtitle:
        word.add_paragraph(docx_text(doc.subtitle))
    for para in doc.preface:
        word.add_paragraph(docx_text(para))
    for section in doc.sections:
        word.add_heading(docx_text(section.title), level=1)
        for block in section.blocks:
            if isinstance(block, Table):
                _table(word, block)
            elif isinstance(block, Figure):
                if not block.png:
                    raise ValueError(f"chart {block.name} was made without its PNG: build the "
                                     "document with reports.document.chart_kinds of its formats")
                word.add_picture(io.BytesIO(block.png), width=Mm(s["figure_width_mm"]))
                word.paragraphs[-1].paragraph_format.first_line_indent = Pt(0)
                word.paragraphs[-1].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                caption = word.add_paragraph(docx_text(block.caption))
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif isinstance(block, Subheading):
                word.add_heading(docx_text(block.text), level=2)
            elif isinstance(block, Bullets):
                sect = word.element.body.sectPr
                for item in block.items:
                    _bullet(word, sect, docx_text(item), ids["bullet"])
            elif isinstance(block, Link):
                continue   # a Word file travels alone: no link to a page beside it
            else:
                word.add_paragraph(docx_text(block))
    if doc.footer:
        word.add_paragraph(docx_text(doc.footer))
    buf = io.BytesIO()
    word.save(buf)
    return _dated_once(buf.getvalue())


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The date of every part of a Word file (the earliest a zip can hold): the parts are
otherwise dated when saved, and a seed would not reproduce the file byte for byte."""


def _dated_once(data: bytes) -> bytes:
    """``data``, a Word file (a zip), with every part dated :data:`ZIP_EPOCH`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = zipfile.ZipInfo(info.filename, ZIP_EPOCH)
            part.compress_type, part.external_attr = info.compress_type, info.external_attr
            dst.writestr(part, src.read(info))
    return out.getvalue()
