"""The legitimacy the authorities enjoy in the crowd's eyes (ESIM; Lemos et al. 2016).

One object owns the value and its bounds; every change goes through :meth:`gain` or
:meth:`lose` with a named reason, so a run can say what built or spent it.
"""

from __future__ import annotations

from collections import defaultdict


class Legitimacy:
    """Shared legitimacy ``L`` in ``[floor, ceiling]``, with a ledger of named changes.

    Args:
        start: the scenario's starting legitimacy, 0-1.
        floor, ceiling: bounds from the parameters.
    """

    def __init__(self, start: float, floor: float, ceiling: float):
        self.floor, self.ceiling = floor, ceiling
        self.value = min(ceiling, max(floor, start))
        self.ledger: dict[str, float] = defaultdict(float)

    def _move(self, reason: str, delta: float) -> float:
        before = self.value
        self.value = min(self.ceiling, max(self.floor, before + delta))
        self.ledger[reason] += self.value - before
        return self.value - before

    def gain(self, reason: str, amount: float) -> float:
        """Raise L by ``amount`` (clamped); returns the change applied."""
        return self._move(reason, abs(amount))

    def lose(self, reason: str, amount: float) -> float:
        """Lower L by ``amount`` (clamped); returns the change applied (negative)."""
        return self._move(reason, -abs(amount))

    def __float__(self) -> float:
        return self.value
