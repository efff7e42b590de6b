"""A report as plain structure: sections of paragraphs, tables and figures.

Built once from a run by ``reports.content``; rendered by ``reports.render_md``,
``reports.render_html`` and ``reports.render_docx`` without knowing what the words say.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    """A table with a header row; cells are already-formatted text."""

    columns: list[str]
    rows: list[list[str]]


@dataclass
class Figure:
    """A chart: a caption, a file name and its PNG bytes (and SVG text when made)."""

    caption: str
    name: str
    png: bytes
    svg: str = ""


@dataclass
class Subheading:
    """A heading inside a section."""

    text: str


@dataclass
class Bullets:
    """A bulleted list."""

    items: list[str]


class Link(str):
    """A paragraph that links to a file beside the report (shown as text where links are not
    drawn)."""

    href: str

    def __new__(cls, text: str, href: str) -> Link:
        obj = super().__new__(cls, text)
        obj.href = href
        return obj


Block = str | Table | Figure | Subheading | Bullets


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    lang: str
    sections: list[Section] = field(default_factory=list)
    footer: str = ""
    org: str = ""
    """The organising unit (title block)."""
    date: str = ""
    """The drill's date (title block)."""
    preface: list[str] = field(default_factory=list)
    """Paragraphs before the first section (the report's opening)."""

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]
