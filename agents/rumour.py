"""A rumour spreading online, and the official statement that races it.

Maki-Thompson mean field (shares of the online population): ignorants ``x``, spreaders
``y``, stiflers ``z``; ``x' = -l x y``, ``y' = l x y - l y (y + z)``. Once an official
statement is out it acts only on the people it has reached: with ``s`` the statement's
reach and ``c`` its credibility, ignorants become stiflers at ``delta c s x`` and spreaders
at ``mu c s y`` (research/modeling.md section B). Without a statement about 20.3% never hear
the rumour (theta = 0.2032).

``reach`` is the cumulative share who heard the rumour (integral of ``l x y``);
``statement_reach`` grows logistically from the statement's seed toward the share its
channels can reach (the plan's ``publicity.reach``).
"""

from __future__ import annotations

from sim.core.parameters import RumourParams


class Rumour:
    """The online population's state; advance with :meth:`step` once a tick."""

    def __init__(self, params: RumourParams, statement_ceiling: float = 1.0):
        self.p = params
        self.ceiling = statement_ceiling
        self.x = 1.0
        self.y = 0.0
        self.z = 0.0
        self.reach = 0.0
        self.statement_reach = 0.0
        self.credibility = 0.0
        self.debunking = False
        self.peak_spreaders = 0.0

    def seed(self, share: float) -> float:
        """Turn ``share`` of the population (at most all ignorants) into spreaders."""
        moved = min(share, self.x)
        self.x -= moved
        self.y += moved
        self.reach += moved
        return moved

    def issue_statement(self, credibility: float) -> None:
        """An official statement is out: debunking starts, the statement starts spreading."""
        self.debunking = True
        self.credibility = max(self.credibility, credibility)
        self.statement_reach = max(self.statement_reach,
                                   min(self.ceiling, self.p.statement_seed_share))

    def step(self, dt: float) -> None:
        """Advance ``dt`` minutes with explicit Euler sub-steps."""
        p = self.p
        if self.y <= 0.0 and not self.debunking:
            return
        n = p.substeps
        h = dt / n
        lam = p.spread_per_min
        x, y, z, reach = self.x, self.y, self.z, self.reach
        s, k = self.statement_reach, self.ceiling
        if not self.debunking:
            for _ in range(n):
                heard = lam * x * y * h
                stifled = lam * y * (y + z) * h
                x -= heard
                y += heard - stifled
                z += stifled
                reach += heard
        else:
            debunk = p.debunk_per_min * self.credibility
            stifle = p.stifle_per_min * self.credibility
            grow = p.statement_spread_per_min
            for _ in range(n):
                heard = lam * x * y * h
                stifled = lam * y * (y + z) * h
                debunked = debunk * s * x * h
                calmed = stifle * s * y * h
                x -= heard + debunked
                y += heard - stifled - calmed
                z += stifled + debunked + calmed
                reach += heard
                s = min(k, s + grow * s * (1.0 - s / k) * h)
        self.x, self.y, self.z, self.reach = max(x, 0.0), max(y, 0.0), z, min(reach, 1.0)
        self.statement_reach = s
        if self.y > self.peak_spreaders:
            self.peak_spreaders = self.y
