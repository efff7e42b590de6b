"""Render a :class:`Document` as Markdown; figures are written beside it as PNG files."""

from __future__ import annotations

from reports.document import Bullets, Document, Figure, Subheading, Table

FIGURE_DIR = "charts"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(doc: Document) -> str:
    """Markdown text; figures are referenced as ``charts/<name>``."""
    out = [f"# {doc.title}", "", doc.subtitle, ""]
    for section in doc.sections:
        out += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
                out.append("| " + " | ".join(_cell(c) for c in block.columns) + " |")
                out.append("|" + "---|" * len(block.columns))
                out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            elif isinstance(block, Figure):
                out.append(f"![{block.caption}]({FIGURE_DIR}/{block.name})")
            elif isinstance(block, Subheading):
                out.append(f"### {block.text}")
            elif isinstance(block, Bullets):
                out += [f"- {item}" for item in block.items]
            else:
                out.append(block)
            out.append("")
    if doc.footer:
        out += ["---", "", doc.footer, ""]
    return "\n".join(out)
