"""Render a :class:`Document` as Markdown; figures are written beside it as image files
(SVG, or PNG for a dense chart)."""

from __future__ import annotations

import re

from reports.document import Bullets, Document, Figure, Link, Subheading, Table

FIGURE_DIR = "charts"


_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")


def md(text: str) -> str:
    """Text as literal Markdown: markup characters escaped, every kind of line break (a
    carriage return too) folded into a space, so a name never splits a table row; other
    control characters and unpaired surrogates become U+FFFD.

    Names, titles and notes come from plan and scenario files, which are not trusted: a
    ``<script>`` or a ``# heading`` in them must show as text, not act.
    """
    text = _CONTROL.sub("\ufffd", _BREAKS.sub(" ", str(text)))
    return _SPECIAL.sub(r"\\\1", text)


def _cell(text: str) -> str:
    return md(text)


def render(doc: Document) -> str:
    """Markdown text; figures are referenced as ``charts/<name>``."""
    out = [f"# {md(doc.title)}", ""]
    if doc.org or doc.date:
        out += [md("　".join(x for x in (doc.org, doc.date) if x)), ""]
    if doc.subtitle:
        out += [md(doc.subtitle), ""]
    for para in doc.preface:
        out += [md(para), ""]
    for section in doc.sections:
        out += [f"## {md(section.title)}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
                out.append("| " + " | ".join(_cell(c) for c in block.columns) + " |")
                out.append("|" + "---|" * len(block.columns))
                out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            elif isinstance(block, Figure):
                out.append(f"![{md(block.caption)}]({FIGURE_DIR}/{block.file})")
            elif isinstance(block, Subheading):
                out.append(f"### {md(block.text)}")
            elif isinstance(block, Bullets):
                out += [f"- {md(item)}" for item in block.items]
            elif isinstance(block, Link):
                out.append(f"[{md(block)}](<{block.href}>)")
            else:
                out.append(md(block))
            out.append("")
    if doc.footer:
        out += ["---", "", md(doc.footer), ""]
    return "\n".join(out)
