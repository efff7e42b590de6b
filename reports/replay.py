"""The animated replay of a drill for the debrief: one self-contained ``replay.html`` (no
network, no library) built from a run's output folder (``timeseries.csv``, ``events.csv``).

A time slider and a play button move through the drill minute by minute: the clock, the
crowd and its state, the level, the teams ordered out, arriving and at work, the injects
(with what they say) and the trainees' decisions as they happen, the rumour's reach against
the official statement's, and a chart with a cursor at the time shown.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from reports.i18n import POSTURE, SUBJECTS, VALUE_WORDS, word
from reports.inject_words import inject_item, inject_text, team_name
from reports.room_pages import BASE_CSS, CHART_JS, FONT_STACK
from reports.room_text import (
    STATUS,
    TEXT,
    clock_at,
    event_text,
    minute,
)
from sim.core.files import atomic_write

REPLAY_TEXT: dict[str, dict[str, str]] = {
    "title": {"zh": "推演动画回放", "en": "Animated replay of the drill"},
    "play": {"zh": "播放", "en": "Play"},
    "pause": {"zh": "暂停", "en": "Pause"},
    "speed": {"zh": "速度", "en": "Speed"},
    "decisions": {"zh": "参训人员决策", "en": "The trainees' decisions"},
    "rumour_vs": {"zh": "谣言与权威信息", "en": "Rumour against statement"},
}
HEADINGS = ("level", "crowd", "onlookers", "state", "agitation", "rumour", "statement", "team",
            "status", "posture", "doing", "injects", "feed_all")
SKIPPED = ("task_start", "task_end", "message_received")
STATUS_AFTER = {"dispatch_order": "ordered", "dispatched": "mobilising",
                "team_on_site": "on_site", "prepositioned": "on_site", "recalled": "recalled"}


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _teams(events: pd.DataFrame, plan, lang: str) -> list[dict[str, Any]]:
    """Each team's board rows over time: (minute, status, doing)."""
    ids = list(plan.teams) if plan is not None else sorted(
        {str(a) for a in events.loc[events["kind"].isin(list(STATUS_AFTER)), "actor"]}
        | {str(s) for s in events.loc[events["kind"] == "dispatch_order", "subject"]})
    # each team's rows, in one pass over the log: its own, and the orders that name it
    mine: dict[str, list[Any]] = {tid: [] for tid in ids}
    for row in events.itertuples():
        who = str(row.subject) if row.kind == "dispatch_order" else str(row.actor)
        if who in mine:
            mine[who].append(row)
    out = []
    for tid in ids:
        status, doing, changes = "standby", "", [[0.0, word(STATUS, "standby", lang), ""]]
        for row in mine[tid]:
            kind = row.kind
            if kind == "dispatch_order":
                status = "ordered" if status == "standby" else status
            elif kind in STATUS_AFTER and kind != "dispatch_order":
                status = STATUS_AFTER[kind]
            elif kind == "task_start":
                doing = str(row.subject)
                if doing == "travelling":
                    status = "travelling"
            elif kind == "task_end" and str(row.subject) == doing:
                doing = ""
            else:
                continue
            changes.append([float(row.t_min), word(STATUS, status, lang),
                            word(SUBJECTS, doing, lang) if doing else ""])
        team = plan.teams.get(tid) if plan is not None else None
        posture = team.posture.value if team is not None and team.posture is not None else ""
        out.append({"name": team_name(plan, tid, lang), "changes": changes,
                    "posture": word(POSTURE, posture, lang) if posture else ""})
    return out


def _read_csv(folder: Path, name: str) -> pd.DataFrame:
    """One of the run's CSV files; a file that cannot be read raises ``ValueError`` naming it."""
    try:
        return pd.read_csv(folder / name, keep_default_na=False)
    except ValueError as exc:   # not UTF-8, not CSV, empty
        raise ValueError(f"{name}: {exc}") from None


def replay_data(folder: Path, lang: str, plan=None, scenario=None,
                start_clock: str | None = None) -> dict[str, Any]:
    """What the replay page needs, from the output folder's CSV files. The clock starts at
    ``start_clock`` (``HH:MM``), else the scenario's, else 09:00."""
    ts = _read_csv(folder, "timeseries.csv")
    events = _read_csv(folder, "events.csv")
    events = events.sort_values("t_min", kind="stable")
    start = start_clock or (scenario.start_clock if scenario is not None else "09:00")
    injects = {}
    if scenario is not None:
        for item in scenario.injects:
            injects[item.id] = inject_item(item)
    feed, marks = [], []
    for row in events.to_dict("records"):
        if row["kind"] in SKIPPED:
            continue
        row["value"] = _num(row.get("value"))
        t = float(row["t_min"])
        sentence = event_text(plan, row, lang, injects)
        kind = "inject" if row["kind"] == "inject" else \
            "decision" if row["kind"] == "decision" else ""
        feed.append({"t": t, "time": minute(t), "text": sentence, "kind": kind})
        if kind == "inject":
            marks.append({"t": t, "label": str(row["subject"]), "color": "#ffd54f"})
        elif kind == "decision" and row["subject"] != "wait":
            marks.append({"t": t, "label": "★", "color": "#4dd0e1"})
    col = {c: [(_num(v) or 0.0) for v in ts[c]] for c in
           ("t_min", "crowd_present", "onlookers", "mean_agitation", "rumor_reach",
            "statement_reach") if c in ts}
    series = {"t": col.get("t_min", []), "crowd": col.get("crowd_present", []),
              "agitation": col.get("mean_agitation", []), "rumour": col.get("rumor_reach", []),
              "statement": col.get("statement_reach", [])}
    levels = [str(x) for x in ts["level"]] if "level" in ts else []
    if plan is not None:
        names = {lv.id: lv.name.get(lang) for lv in plan.levels}
        levels = [names.get(x, x) for x in levels]
    labels = {k: TEXT[k][lang] for k in HEADINGS} | {k: v[lang] for k, v in REPLAY_TEXT.items()}
    return {
        "lang": lang,
        "title": (scenario.title.get(lang) if scenario is not None else "") or folder.name,
        "labels": labels,
        "series": series,
        "onlookers": col.get("onlookers", []),
        "state": [str(x) for x in ts.get("crowd_state", [])],
        "state_words": {k: word(VALUE_WORDS, k, lang) for k in ("calm", "vocal", "blocking",
                                                                "scuffle")},
        "levels": levels,
        "clocks": [clock_at(start, t) for t in series["t"]],
        "crowd_max": max([*series["crowd"], 1.0]),
        "feed": feed,
        "marks": marks,
        "teams": _teams(events, plan, lang),
        "injects": [{"t": f["t"], "time": f["time"], "text": f["text"]}
                    for f in feed if f["kind"] == "inject"],
        "inject_texts": {k: inject_text(v, lang, plan) for k, v in injects.items()},
    }


PAGE = """<!DOCTYPE html>
<html lang="%(html_lang)s"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<style>%(base)s
body { font-size: 19px; padding: .6em 1em; }
#bar { display: flex; gap: .8em; align-items: center; margin: .4em 0; }
#slider { flex: 1; } button { font: inherit; padding: .2em 1em; }
#clock { font-size: 2em; font-weight: 700; min-width: 9em; }
.figures { display: flex; gap: 1em; flex-wrap: wrap; }
.fig { background: #1c232b; padding: .25em .6em; border-radius: .3em; min-width: 6em; }
.fig .v { font-size: 1.4em; font-weight: 700; display: block; } .fig .k { color: #9aa; font-size: .75em; }
.grid { display: grid; grid-template-columns: 1.3fr 1fr; gap: .8em; }
#chart { width: 100%%; height: auto; background: #161b21; }
li.inject { color: #ffd54f; } li.decision { color: #4dd0e1; } li.new { font-weight: 700; }
.bars div { height: 1em; margin: .2em 0; } #rumourbar { background: #ba68c8; }
#statementbar { background: #81c784; }
</style></head><body>
<h1 id="title"></h1>
<div id="bar"><button id="play"></button><input type="range" id="slider" min="0" value="0" step="1">
<select id="speed"><option value="1">1×</option><option value="4" selected>4×</option>
<option value="10">10×</option></select><span id="clock"></span></div>
<div class="figures">
 <div class="fig"><span class="k" data-l="level"></span><span class="v" id="level"></span></div>
 <div class="fig"><span class="k" data-l="crowd"></span><span class="v" id="crowd"></span></div>
 <div class="fig"><span class="k" data-l="onlookers"></span><span class="v" id="onlookers"></span></div>
 <div class="fig"><span class="k" data-l="state"></span><span class="v" id="state"></span></div>
 <div class="fig"><span class="k" data-l="agitation"></span><span class="v" id="agitation"></span></div>
 <div class="fig" style="min-width: 14em"><span class="k" data-l="rumour_vs"></span>
  <div class="bars"><div id="rumourbar"></div><div id="statementbar"></div></div>
  <span class="k" id="reach"></span></div>
</div>
<div class="grid"><div><svg id="chart" role="img"></svg>
<h3 data-l="team"></h3><table id="teams"><thead><tr><th data-l="team"></th><th data-l="status">
</th><th data-l="posture"></th><th data-l="doing"></th></tr></thead><tbody></tbody></table></div>
<div><h3 data-l="injects"></h3><ul id="injects"></ul><h3 data-l="feed_all"></h3><ul id="feed"></ul>
</div></div>
<script id="data" type="application/json">%(data)s</script>
<script>%(chart)s
const D = JSON.parse(document.getElementById('data').textContent);
const L = D.labels;
document.getElementById('title').textContent = D.title + ' · ' + L.title;
for (const e of document.querySelectorAll('[data-l]')) e.textContent = L[e.dataset.l] || '';
const slider = document.getElementById('slider');
const n = D.series.t.length; slider.max = Math.max(n - 1, 0);
const set = (id, v) => { document.getElementById(id).textContent = v; };
function fillList(id, items, now) {
  const ul = document.getElementById(id); ul.replaceChildren();
  for (const f of items) { const li = document.createElement('li');
    li.textContent = f.time + '  ' + f.text;
    li.className = (f.kind || '') + (now - f.t < 1.0001 ? ' new' : ''); ul.appendChild(li); }
}
function show(i) {
  i = Math.max(0, Math.min(n - 1, i));
  const t = D.series.t[i];
  document.body.dataset.t = t;
  set('clock', 'T+' + Math.floor(t) + ' (' + D.clocks[i] + ')');
  set('level', D.levels[i] || '—');
  set('crowd', Math.round(D.series.crowd[i]));
  set('onlookers', Math.round(D.onlookers[i] || 0));
  const st = document.getElementById('state'); st.textContent = D.state_words[D.state[i]] || D.state[i];
  st.className = 'v state-' + D.state[i];
  set('agitation', D.series.agitation[i].toFixed(2));
  const r = D.series.rumour[i] || 0, s = D.series.statement[i] || 0;
  document.getElementById('rumourbar').style.width = (100 * r).toFixed(1) + '%%';
  document.getElementById('statementbar').style.width = (100 * s).toFixed(1) + '%%';
  set('reach', L.rumour + ' ' + (100 * r).toFixed(1) + '%%  ·  ' + L.statement + ' ' + (100 * s).toFixed(1) + '%%');
  const body = document.querySelector('#teams tbody'); body.replaceChildren();
  for (const team of D.teams) {
    let row = team.changes[0];
    for (const c of team.changes) { if (c[0] <= t + 1e-9) row = c; else break; }
    const tr = document.createElement('tr');
    for (const cell of [team.name, row[1], team.posture, row[2]]) {
      const td = document.createElement('td'); td.textContent = cell; tr.appendChild(td); }
    body.appendChild(tr);
  }
  fillList('injects', D.injects.filter(f => f.t <= t + 1e-9).reverse(), t);
  fillList('feed', D.feed.filter(f => f.t <= t + 1e-9).slice(-14).reverse(), t);
  drawChart(document.getElementById('chart'), D.series, D.crowd_max,
            {cursor: t, marks: D.marks.filter(m => m.t <= t + 1e-9),
             tMax: D.series.t[n - 1]});
}
let timer = null;
const play = document.getElementById('play');
play.textContent = L.play;
play.onclick = () => {
  if (timer) { clearInterval(timer); timer = null; play.textContent = L.play; return; }
  if (+slider.value >= n - 1) slider.value = 0;
  play.textContent = L.pause;
  timer = setInterval(() => {
    const step = +document.getElementById('speed').value;
    slider.value = Math.min(n - 1, +slider.value + step); show(+slider.value);
    if (+slider.value >= n - 1) { clearInterval(timer); timer = null; play.textContent = L.play; }
  }, 250);
};
slider.oninput = () => show(+slider.value);
show(0);
</script></body></html>
"""


def render_replay(data: dict[str, Any]) -> str:
    """The page as text; the data is embedded as JSON (no ``<`` left in it to end the script)."""
    payload = json.dumps(data, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")
    title = (data["title"] + " · " + data["labels"]["title"]).replace("&", "&amp;") \
        .replace("<", "&lt;").replace(">", "&gt;")
    return PAGE % {"html_lang": "zh-CN" if data["lang"] == "zh" else "en", "title": title,
                   "base": BASE_CSS % {"font": FONT_STACK}, "chart": CHART_JS, "data": payload}


def write_replay(folder: Path, lang: str = "zh", plan=None, scenario=None,
                 start_clock: str | None = None) -> Path:
    """Write ``replay.html`` into the output ``folder`` (from its CSV files); returns its path.
    ``plan`` and ``scenario`` give team names, inject texts and the clock; without them the
    page shows ids. ``start_clock``: the run's own clock, when it is known apart from the
    scenario (else the scenario's, else 09:00)."""
    folder = Path(folder)
    path = folder / "replay.html"
    atomic_write(path, render_replay(replay_data(folder, lang, plan, scenario, start_clock)))
    return path
