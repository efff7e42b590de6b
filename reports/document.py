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


FORMATS = ("md", "html", "docx")
"""The formats a report can be written in: Markdown, the web page, Word."""

CHART_KINDS_WEB = frozenset({"svg"})
"""The chart kind of Markdown and the web page: SVG with live text, drawn by the reader's
fonts, sharp at any size."""


def chart_kinds(formats) -> frozenset[str]:
    """The chart kinds the report ``formats`` need: SVG for Markdown and the web page, PNG
    for Word (which prints it at 200 dpi)."""
    formats = set(formats)
    return frozenset(({"svg"} if {"md", "html"} & formats else set())
                     | ({"png"} if "docx" in formats else set()))


@dataclass
class Figure:
    """A chart: a caption, a file stem (``"gantt"``) and its image, as SVG text and/or PNG
    bytes, whichever were made. Markdown and the web page show the SVG when there is one
    (the PNG for a chart too dense for SVG); Word shows the PNG."""

    caption: str
    name: str
    png: bytes = b""
    svg: str = ""

    @property
    def file(self) -> str:
        """The file name Markdown links to (under ``charts/``): the SVG, else the PNG."""
        return f"{self.name}.svg" if self.svg else f"{self.name}.png"

    @property
    def data(self) -> str | bytes:
        """The contents of :attr:`file`."""
        return self.svg if self.svg else self.png


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
