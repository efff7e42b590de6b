"""The comparison report of plan variants (``compare``) and the heat map of a sweep (``sweep``).

One job a module:

* :mod:`sim.montecarlo.stats` computes every figure (summaries, intervals, probabilities, paired
  differences, the sweep table); nothing below computes or changes one;
* :mod:`reports.comparison_words` says things: phrases in Chinese and English, names of
  metrics and events, numbers and intervals as text;
* :mod:`reports.comparison_charts` draws the charts (style from :mod:`reports.chart_style`);
* :mod:`reports.comparison_content` lays the reports out as a
  :class:`~reports.document.Document`;
* :mod:`reports.comparison_writers` writes the data files and, through
  :func:`reports.writer.write_document`, the reports;
* :mod:`reports.comparison_console` prints the tables on the console.

This module gathers the names the command line and the notebook use.
"""

from reports.comparison_console import print_compare, print_sweep
from reports.comparison_content import build_compare
from reports.comparison_writers import write_compare, write_data, write_sweep
from sim.montecarlo.stats import sweep_table

__all__ = ["build_compare", "print_compare", "print_sweep", "sweep_table", "write_compare",
           "write_data", "write_sweep"]
