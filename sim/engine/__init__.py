"""Run drills: the one place the simulation is started from.

``build_world`` makes the SimPy world of one run and its tick (``sim.engine.build``); a
``DrillSession`` starts every process and runs it between decision points
(``sim.engine.session``); ``simulate`` runs a drill to its end with the plan's own choices.
"""

from sim.engine.build import build_world, tick
from sim.engine.session import DrillSession, simulate, simulate_metrics

__all__ = ["DrillSession", "build_world", "simulate", "simulate_metrics", "tick"]
