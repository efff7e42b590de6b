"""The charts drawn in a second process: the same bytes as drawn in the run's own process,
and a chart process that fails only leaves the charts to the run."""

from __future__ import annotations

import time

import pytest

from reports import chart_process
from reports.chart_data import ChartData
from reports.document import CHART_KINDS_WEB, Figure
from reports.evaluation import evaluate
from reports.run_charts import annex
from reports.writer import write_run
from sim.core.loading import load_drill
from sim.engine import simulate

pytestmark = pytest.mark.skipif(not chart_process.useful(),
                                reason="a chart process runs only on Linux with two cores")


@pytest.fixture(scope="module")
def run():
    r = simulate(load_drill("small-group", None, []), seed=2)
    e = evaluate(r)
    return r, e, ChartData.of(r, e.tasks)


@pytest.mark.parametrize("kinds", [CHART_KINDS_WEB, frozenset({"png", "svg"})])
def test_charts_from_the_chart_process_are_the_same_bytes(run, kinds):
    r, e, data = run
    charts = chart_process.ChartProcess()
    charts.send(data, "zh", kinds)
    drawn = charts.blocks()
    assert drawn is not None
    here = annex(data, "zh", kinds)
    assert [b.name for b in drawn if isinstance(b, Figure)] == \
        [b.name for b in here if isinstance(b, Figure)]
    assert drawn == here
    assert not charts.process.is_alive()


def test_a_chart_process_that_died_leaves_the_charts_to_the_run(run, tmp_path):
    r, e, data = run
    charts = chart_process.ChartProcess()
    charts.process.kill()
    charts.process.join()
    charts.send(data, "en", CHART_KINDS_WEB)
    assert charts.blocks() is None
    written = write_run(r, tmp_path / "out", "en", ["md"], e=e, drawn=charts.blocks)
    svgs = sorted(p.name for p in written if p.suffix == ".svg")
    assert svgs == sorted(f"{b.name}.svg" for b in annex(data, "en", CHART_KINDS_WEB)
                          if isinstance(b, Figure))


def test_a_chart_process_that_cannot_draw_answers_so(run):
    charts = chart_process.ChartProcess()
    charts.send(None, "zh", CHART_KINDS_WEB)   # no run to draw from
    assert charts.blocks() is None
    assert not charts.process.is_alive()


def test_a_chart_process_never_handed_a_run_is_ended_at_once():
    charts = chart_process.ChartProcess()
    t = time.perf_counter()
    charts.close()
    assert not charts.process.is_alive()
    assert time.perf_counter() - t < 0.5
    assert charts.blocks() is None


def test_charts_shared_with_a_copy_come_back_in_order(run):
    r, e, data = run
    kinds = frozenset({"png", "svg"})
    assert chart_process._annex(data, "en", kinds) == annex(data, "en", kinds)


def test_charts_the_copy_fails_to_draw_are_drawn_by_the_chart_process(run, monkeypatch):
    r, e, data = run
    monkeypatch.setattr(chart_process, "_draw_share", lambda *a: None)  # the copy answers nothing
    assert chart_process._annex(data, "zh", CHART_KINDS_WEB) == \
        annex(data, "zh", CHART_KINDS_WEB)


def _stuck(conn, parent_end) -> None:
    time.sleep(30)


def test_a_chart_process_that_hangs_is_given_up_on(run, monkeypatch):
    _, _, data = run
    monkeypatch.setattr(chart_process, "_serve", _stuck)
    monkeypatch.setattr(chart_process, "WAIT_S", 0.5)
    charts = chart_process.ChartProcess()
    charts.send(data, "en", CHART_KINDS_WEB)
    t = time.perf_counter()
    assert charts.blocks() is None
    assert time.perf_counter() - t < 5.0 and not charts.process.is_alive()
