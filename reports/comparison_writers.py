"""The files of ``compare`` and ``sweep``: the data tables (CSV) and ``run.json``, then the
report, written by the drill report's writer (:func:`reports.writer.write_document`).

Every file goes into the command's output folder, written as a set
(:func:`sim.core.files.output_folder`); every CSV cell a spreadsheet would read as a formula is
neutralised (:func:`sim.core.files.csv_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from reports.comparison_content import build_compare, build_sweep
from reports.writer import write_document, write_json
from sim.core.files import atomic_write, csv_text, output_folder
from sim.montecarlo.stats import Analysis

if TYPE_CHECKING:
    from sim.montecarlo.replicate import Replications

REPORT_FORMATS = ("md", "html")
"""The formats of the comparison and sweep reports."""


DATA_TABLES = ("replications", "summary", "differences", "probabilities", "event_differences",
               "categories")
"""The frames of :class:`sim.montecarlo.stats.Analysis` written as ``<name>.csv``, as they are."""


def _csv(df: pd.DataFrame) -> str:
    return csv_text(df)


def failures_frame(reps: Replications) -> pd.DataFrame:
    """The failed replications (``failures.csv``): plan, rep, seed, error and traceback."""
    return pd.DataFrame([{"plan": f.plan, "rep": f.rep, "seed": f.seed, "error": f.error,
                          "traceback": f.traceback} for f in reps.failures],
                        columns=["plan", "rep", "seed", "error", "traceback"])


def write_data(reps: Replications, a: Analysis, out: Path, extra: dict | None = None) -> list[Path]:
    """The data files common to ``compare`` and ``sweep``: the frames of ``a``
    (:data:`DATA_TABLES`), ``failures.csv`` and ``run.json`` (the settings, with ``extra``)."""
    out = Path(out)
    files = {f"{name}.csv": _csv(getattr(a, name)) for name in DATA_TABLES}
    files["failures.csv"] = _csv(failures_frame(reps))
    written = []
    for name, text in files.items():
        atomic_write(out / name, text)
        written.append(out / name)
    settings = reps.settings()
    settings["rumour_threshold"] = a.rumour_threshold
    settings.update(extra or {})
    write_json(out / "run.json", settings)
    written.append(out / "run.json")
    return written


def write_compare(reps: Replications, a: Analysis, out: Path, lang: str = "zh") -> list[Path]:
    """Every file of ``compare``: the data, ``comparison.md`` (with ``charts/``) and
    ``comparison.html``, as a set."""
    out = Path(out)
    with output_folder(out) as folder:
        written = write_data(reps, a, folder)
        written += write_document(build_compare(reps, a, lang), folder, "comparison",
                                  REPORT_FORMATS)
    return [out / p.relative_to(folder) for p in written]


def write_sweep(reps: Replications, a: Analysis, grid: Sequence[tuple[str, list[Any]]],
                cells: Sequence[dict[str, Any]], metric: str, plan: str, out: Path,
                lang: str = "zh") -> list[Path]:
    """Every file of ``sweep``: the data, ``sweep.csv``, ``sweep.md`` (with
    ``charts/heatmap.svg``) and ``sweep.html``, as a set."""
    out = Path(out)
    with output_folder(out) as folder:
        written = write_data(reps, a, folder, {"grid": {k: list(vs) for k, vs in grid},
                                               "metric": metric, "plan": plan})
        doc, table = build_sweep(reps, a, grid, cells, metric, plan, lang)
        atomic_write(folder / "sweep.csv", _csv(table))
        written.append(folder / "sweep.csv")
        written += write_document(doc, folder, "sweep", REPORT_FORMATS)
    return [out / p.relative_to(folder) for p in written]
