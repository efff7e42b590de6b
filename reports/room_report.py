"""What a facilitated drill adds to its report: the observers' notes with their simulated
time, and a link to the animated replay beside the report. The report's builder calls
:func:`room_blocks` once; it adds nothing to a run that has neither."""

from __future__ import annotations

from reports.document import Block, Link, Subheading, Table
from reports.i18n import count_en
from reports.narrative import Clock
from sim.core.result import DrillResult

WORDS: dict[str, dict[str, str]] = {
    "notes": {"zh": "观察员记录", "en": "Observers' notes"},
    "notes_line": {"zh": "推演中观察员共记录{n}条，时间为记录时的推演时间。",
                   "en": "{n_en} written by observers during the drill, at the simulated "
                         "time they were written."},
    "time": {"zh": "时间", "en": "Time"},
    "author": {"zh": "记录人", "en": "By"},
    "text": {"zh": "内容", "en": "Note"},
    "replay": {"zh": "动画回放（时间轴、态势、工作组、导调注入与决策）：replay.html",
               "en": "Animated replay (time slider, crowd, teams, injects and decisions): "
                     "replay.html"},
}


def room_blocks(r: DrillResult, lang: str) -> list[Block]:
    """The notes section and the replay link, as report blocks (none when there are none)."""
    out: list[Block] = []
    notes = r.notes
    if notes is not None and len(notes):
        clock = Clock.of(r)   # the clock and T+ as every table of the report gives them
        out.append(Subheading(WORDS["notes"][lang]))
        out.append(WORDS["notes_line"][lang].format(n=len(notes),
                                                    n_en=count_en(len(notes), "note")))
        out.append(Table(
            [WORDS["time"][lang], WORDS["author"][lang], WORDS["text"][lang]],
            [[clock.stamp(float(n.t_min), lang), str(n.author or ""), str(n.text)]
             for n in notes.itertuples()]))
    if r.replay_file:
        out.append(Link(WORDS["replay"][lang], r.replay_file))
    return out
