"""Where the bundled plans and scenarios live (no schema: ``list`` needs only this).

Kept apart from ``sim.core.loading`` so that listing the bundle does not import pydantic.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios"
PLANS_DIR = BUNDLED / "plans"
DRILLS_DIR = BUNDLED / "drills"


def bundled(kind: str) -> list[Path]:
    """The bundled files of ``kind`` (``"plans"`` or ``"drills"``), sorted by name."""
    folder = PLANS_DIR if kind == "plans" else DRILLS_DIR
    return sorted(folder.glob("*.yaml"))
