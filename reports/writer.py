"""Write a run's output files. Each file goes to a temporary name and is renamed into place,
so an interrupted run never leaves a half-written file under its final name."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from reports import render_docx, render_html, render_md
from reports.content import build
from reports.document import Document
from reports.evaluation import evaluate, to_json
from reports.render_md import FIGURE_DIR
from sim.core.files import atomic_write
from sim.core.result import DrillResult

FORMATS = ("md", "html", "docx")


def write_json(path: Path, obj) -> None:
    atomic_write(path, json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def write_run(r: DrillResult, out: Path, lang: str = "zh",
              formats: Iterable[str] = ("md", "html")) -> list[Path]:
    """Write every file of a run into ``out``; return the paths written."""
    out = Path(out)
    written = []

    def put(name: str, data) -> None:
        atomic_write(out / name, data)
        written.append(out / name)

    put("events.csv", r.events.to_csv(index=False, float_format="%.3f"))
    put("timeseries.csv", r.timeseries.to_csv(index=False, float_format="%.4f"))
    put("messages.csv", r.messages.to_csv(index=False, float_format="%.3f"))
    write_json(out / "metrics.json", r.metrics)
    written.append(out / "metrics.json")
    e = evaluate(r)
    write_json(out / "evaluation.json", to_json(r, e))
    written.append(out / "evaluation.json")
    formats = list(formats)
    if formats:
        written += write_document(build(r, lang, e=e), out, "report", formats)
    return written


def write_document(doc: Document, out: Path, stem: str, formats: Iterable[str]) -> list[Path]:
    """Write ``doc`` into ``out`` in each of ``formats`` (:data:`FORMATS`): ``<stem>.md`` with
    its charts as PNG files in ``charts/``, ``<stem>.html``, ``<stem>.docx``; return the paths
    written."""
    out = Path(out)
    formats = set(formats)
    written = []

    def put(name: str, data) -> None:
        atomic_write(out / name, data)
        written.append(out / name)

    if "md" in formats:
        for fig in doc.figures():
            put(f"{FIGURE_DIR}/{fig.name}", fig.png)
        put(f"{stem}.md", render_md.render(doc))
    if "html" in formats:
        put(f"{stem}.html", render_html.render(doc))
    if "docx" in formats:
        put(f"{stem}.docx", render_docx.render(doc))
    return written
