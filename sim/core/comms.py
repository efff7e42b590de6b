"""Messages between teams over channels with latency, loss and outages.

A message is a SimPy process: it may first go to the wrong team (a familiarity slip) and be
forwarded; each attempt may be lost (or fall into an outage) and is then resent after the
sender's acknowledgement timeout; delivery fires the event ``send`` returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from sim.core.parameters import CommsParams, FamiliarityParams
from sim.core.recorder import Recorder
from sim.core.rng import uniform
from sim.core.types import EventKind, Message


class Comms:
    """All channels of one run."""

    def __init__(self, env: simpy.Environment, params: CommsParams, slips: FamiliarityParams,
                 rng: np.random.Generator, recorder: Recorder, team_ids: list[str],
                 has_radio: Callable[[str], bool] | None = None):
        """``has_radio(sender)`` says whether a team has a working radio; senders outside
        the plan's teams (upper levels, exercise control) use their own lines."""
        self.env = env
        self.has_radio = has_radio
        self.p = params
        self.slips = slips
        self.rng = rng
        self.rec = recorder
        self.team_ids = team_ids
        self.outage_until = -math.inf
        self.next_id = 1

    def outage(self, minutes: float) -> None:
        """Every channel fails for ``minutes`` from now."""
        self.outage_until = max(self.outage_until, self.env.now + minutes)

    def send(self, sender: str, recipient: str, topic: str, familiarity: float = 1.0,
             deadline_min: float = math.nan) -> simpy.Event:
        """Send a message; the returned event fires on delivery with the delivery time.

        Args:
            sender, recipient: team ids (or an outside party such as ``upper``).
            topic: what it is about (``dispatch``, ``question``, ``report:city``...).
            familiarity: the sender's familiarity with the plan (0-1), drives misdirection.
            deadline_min: simulated time by which it must arrive; ``nan`` uses the late threshold.
        """
        done = self.env.event()
        msg_id = self.next_id
        self.next_id += 1
        self.env.process(self._deliver(msg_id, sender, recipient, topic, familiarity,
                                       deadline_min, done))
        return done

    def _latency(self, radio: bool = True) -> float:
        x = 1.0 if radio else self.p.no_radio_latency_x
        return float(x * self.p.latency_min
                     * math.exp(self.p.latency_sigma * self.rng.standard_normal()))

    def _deliver(self, msg_id, sender, recipient, topic, familiarity, deadline, done):
        env, now0 = self.env, float(self.env.now)
        radio = self.has_radio is None or sender not in self.team_ids or self.has_radio(sender)
        loss = self.p.loss_prob * (1.0 if radio else self.p.no_radio_loss_x)
        misdirected = False
        others = [t for t in self.team_ids if t not in (sender, recipient)]
        if others and self.rng.random() < self.slips.misdirect_prob * (1.0 - familiarity):
            misdirected = True
            wrong = others[int(self.rng.integers(len(others)))]
            yield env.timeout(self._latency(radio) + uniform(self.rng, self.slips.forward_min))
            self.rec.log(env.now, sender, EventKind.MESSAGE_MISDIRECTED,
                         f"'{topic}' for {recipient} went to {wrong} and was forwarded",
                         recipient, msg_id)
        lost = False
        while True:
            if env.now < self.outage_until or self.rng.random() < loss:
                lost = True
                self.rec.count("messages_lost")
                self.rec.log(env.now, sender, EventKind.MESSAGE_LOST,
                             f"'{topic}' to {recipient} was lost; resent after "
                             f"{self.p.ack_timeout_min:g} min", recipient, msg_id)
                yield env.timeout(self.p.ack_timeout_min)
                continue
            yield env.timeout(self._latency(radio))
            break
        t = float(env.now)
        limit = deadline if not math.isnan(deadline) else now0 + self.p.late_after_min
        late = t > limit
        self.rec.messages.append(Message(msg_id, sender, recipient, topic, round(now0, 3),
                                         round(t, 3), deadline, late, lost, misdirected))
        if late:
            self.rec.log(t, sender, EventKind.MESSAGE_LATE,
                         f"'{topic}' to {recipient} arrived after {t - now0:.1f} min",
                         recipient, t - now0)
        done.succeed(t)
