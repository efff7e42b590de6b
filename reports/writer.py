"""Write a run's output files, as a set: into a temporary folder beside the target, swapped in
at the end (:func:`sim.core.files.output_folder`), so an interrupted run or a full disk leaves
the old folder whole or the new one whole. Every CSV cell a spreadsheet would read as a
formula is neutralised (:func:`sim.core.files.csv_text`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from reports import render_html, render_md
from reports.content import build
from reports.document import Document, Figure, chart_kinds
from reports.evaluation import Evaluation, evaluate, to_json
from reports.render_md import FIGURE_DIR
from sim.core.files import atomic_write, csv_text, output_folder
from sim.core.result import DrillResult


def write_json(path: Path, obj) -> None:
    atomic_write(path, json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def write_run(r: DrillResult, out: Path, lang: str = "zh",
              formats: Iterable[str] = ("md", "html"), org: str | None = None,
              date: str | None = None, baseline: DrillResult | None = None,
              e: Evaluation | None = None,
              drawn: Callable[[], list[str | Figure] | None] | None = None) -> list[Path]:
    """Write every file of a run into ``out`` as a set; return the paths written (named
    under ``out``). ``org`` and ``date`` go on the report's title block; ``baseline`` is the
    plain run with the same seed, for a facilitated run: its metrics are written as
    ``plain_metrics.json`` and the report sets each decision beside it. ``e``: the run's
    evaluation when the caller has it already; ``drawn``: the charts, when another process
    draws them (see :func:`reports.content.build`)."""
    out = Path(out)
    with output_folder(out) as folder:
        written = _write_run(r, folder, lang, formats, org, date, baseline, e, drawn)
    return [out / p.relative_to(folder) for p in written]


def _write_run(r: DrillResult, out: Path, lang: str, formats: Iterable[str],
               org: str | None = None, date: str | None = None,
               baseline: DrillResult | None = None,
               e: Evaluation | None = None,
               drawn: Callable[[], list[str | Figure] | None] | None = None) -> list[Path]:
    written = []

    def put(name: str, data) -> None:
        atomic_write(out / name, data)
        written.append(out / name)

    put("events.csv", csv_text(r.events, float_format="%.3f"))
    put("timeseries.csv", csv_text(r.timeseries, float_format="%.4f"))
    put("messages.csv", csv_text(r.messages, float_format="%.3f"))
    write_json(out / "metrics.json", r.metrics)
    written.append(out / "metrics.json")
    e = e if e is not None else evaluate(r)
    write_json(out / "evaluation.json", to_json(r, e))
    written.append(out / "evaluation.json")
    if baseline is not None:
        write_json(out / "plain_metrics.json", baseline.metrics)
        written.append(out / "plain_metrics.json")
    formats = list(formats)
    if formats:
        written += write_document(build(r, lang, e=e, org=org, date=date, baseline=baseline,
                                        chart_kinds=chart_kinds(formats), drawn=drawn),
                                  out, "report",
                                  formats)
    return written


def write_document(doc: Document, out: Path, stem: str, formats: Iterable[str]) -> list[Path]:
    """Write ``doc`` into ``out`` in each of ``formats`` (:data:`reports.document.FORMATS`): ``<stem>.md`` with
    its charts as files in ``charts/`` (SVG, or PNG for a dense chart), ``<stem>.html``,
    ``<stem>.docx``; return the paths
    written. ``out`` is usually the open folder of an :func:`~sim.core.files.output_folder`
    block (the other files of the command beside it)."""
    out = Path(out)
    formats = set(formats)
    written = []

    def put(name: str, data) -> None:
        atomic_write(out / name, data)
        written.append(out / name)

    if "md" in formats:
        for fig in doc.figures():
            put(f"{FIGURE_DIR}/{fig.file}", fig.data)
        put(f"{stem}.md", render_md.render(doc))
    if "html" in formats:
        put(f"{stem}.html", render_html.render(doc))
    if "docx" in formats:
        from reports import render_docx  # python-docx is loaded only when Word is asked for

        put(f"{stem}.docx", render_docx.render(doc))
    return written
