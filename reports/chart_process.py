"""A run's charts drawn in a second process, while the first runs the drill and writes the text.

Drawing a run's charts means loading matplotlib (about a quarter of a second) and drawing
four charts (about a third of a second): half of the ``run`` command. On a machine with two
cores or more where a process can be forked (Linux), ``run`` forks a chart process as it
starts. The child loads matplotlib and the chart code while the parent loads the simulator
and runs the drill; the parent then hands it the result (:meth:`ChartProcess.send`) and
writes the data files and the report's text while the charts are drawn, and takes the
charts annex when the report reaches it (:meth:`ChartProcess.blocks`). By then the parent
is mostly waiting, so the chart process forks a copy of itself, with everything loaded and
the run in hand, and the two draw every other chart each.

The child draws with the same code and inputs as the parent would (:func:`reports.run_charts.annex`),
so the charts are the same bytes (tested). Whatever goes wrong on the way (the child cannot
start, dies, or fails to draw) only costs time: :meth:`ChartProcess.blocks` then returns None
and the parent draws the charts itself, failing as it would have.

Usage::

    charts = chart_process.start()          # first thing: None where it would not pay
    ...                                     # load, run the drill, evaluate it
    if charts: charts.send(ChartData.of(result, evaluation.tasks), lang, kinds)
    write_run(..., drawn=charts.blocks if charts else None)
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.chart_data import ChartData

OK = "ok"

WAIT_S = 60.0
"""Longest wait for charts from another process (they take well under a second); past it
they are drawn by the waiting process, as on any other failure."""


def useful() -> bool:
    """Whether a chart process can run beside this one: fork is safe here (Linux) and this
    process may use two cores or more."""
    if not sys.platform.startswith("linux") or not hasattr(os, "sched_getaffinity"):
        return False
    return len(os.sched_getaffinity(0)) >= 2


class ChartProcess:
    """A forked child waiting to draw one run's charts (see the module's docstring)."""

    def __init__(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.conn, child_end = ctx.Pipe()
        # not a daemon, so that it may fork a copy of itself to share the charts; it ends
        # when the pipe does, and close() ends it in any case
        self.process = ctx.Process(target=_serve, args=(child_end, self.conn), name="charts")
        self.process.start()
        child_end.close()
        self.sent = False

    def send(self, data: ChartData, lang: str, kinds: frozenset[str]) -> None:
        """Hand the child what :func:`reports.run_charts.annex` draws from; it starts at once."""
        try:
            self.conn.send((data, lang, kinds))
            self.sent = True
        except Exception:   # cannot be pickled or the child is gone: drawn in this process
            self.close()

    def blocks(self) -> list | None:
        """The charts annex's blocks, once drawn; None if the child could not draw them."""
        if not self.sent:
            return None
        try:
            if not self.conn.poll(WAIT_S):   # stuck: drawn here instead
                raise TimeoutError
            status, blocks = self.conn.recv()
        except Exception:   # the child died (EOFError), hung, or its answer was cut short
            status, blocks = "", None
        self.close()
        return blocks if status == OK else None

    def close(self) -> None:
        """End the child: done with, or no longer wanted (the run stopped before its
        charts, say on bad input, which is then told at once)."""
        self.sent = False
        self.conn.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5.0)


def start() -> ChartProcess | None:
    """A chart process, or None where one would not pay (:func:`useful`) or cannot start."""
    if not useful():
        return None
    try:
        return ChartProcess()
    except Exception:
        return None


def _serve(conn, parent_end) -> None:
    """The child: load the chart code, wait for a run, draw its charts, answer, end. It never
    prints: a failure is answered as such and the parent draws the charts. ``parent_end``,
    the parent's end of the pipe as forked, is closed first, so that the pipe ends when the
    parent closes it."""
    parent_end.close()
    try:
        # matplotlib, the chart code and pandas (for the run's frames) loaded now, while the
        # parent runs the drill; neither the schemas nor the simulator are needed
        import pandas  # noqa: F401

        from reports import run_charts  # noqa: F401

        try:
            request = conn.recv()
        except EOFError:    # the run stopped before its charts (bad input, Ctrl-C)
            return
        answer: tuple[str, list | None]
        try:
            answer = (OK, _annex(*request))
        except Exception:
            answer = ("failed", None)
        conn.send(answer)
    except BaseException:   # noqa: BLE001 - interrupted or the pipe is gone: nothing to say
        pass
    finally:
        conn.close()


def _annex(data: ChartData, lang: str, kinds: frozenset[str]) -> list:
    """:func:`reports.run_charts.annex`, its charts shared with a copy of this process (forked
    with everything loaded and the run in hand): it draws every other chart while this one
    draws the rest. Whatever the copy fails to draw is drawn here."""
    import multiprocessing

    from reports import run_charts

    todo = run_charts.charts(data)
    theirs = todo[1::2]
    helper = None
    if theirs:
        ctx = multiprocessing.get_context("fork")
        conn, helper_end = ctx.Pipe()
        helper = ctx.Process(target=_draw_share, args=(theirs, lang, kinds, helper_end, conn),
                             daemon=True, name="charts-2")
        try:
            helper.start()
        except Exception:
            helper = None
        helper_end.close()
    mine = [run_charts.drawn(c, lang, kinds) for c in todo[0::2]]
    got = None
    if helper is not None:
        try:
            got = conn.recv() if conn.poll(WAIT_S) else None
        except Exception:   # the copy died: its charts are drawn here
            got = None
        conn.close()
        helper.join(timeout=5.0)
    if not isinstance(got, list) or len(got) != len(theirs):
        got = [run_charts.drawn(c, lang, kinds) for c in theirs]
    figures: list = [None] * len(todo)
    figures[0::2], figures[1::2] = mine, got
    return [*run_charts.note(lang, kinds), *figures]


def _draw_share(share: list, lang: str, kinds: frozenset[str], conn, other_end) -> None:
    """The copy: draw ``share`` and send the figures (or nothing, on failure)."""
    other_end.close()
    try:
        from reports import run_charts

        conn.send([run_charts.drawn(c, lang, kinds) for c in share])
    except BaseException:   # noqa: BLE001 - answered by silence: the charts are drawn again
        pass
    finally:
        conn.close()
