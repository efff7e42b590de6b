"""The pages of the drill room (projector view, facilitator console) and the chart script they
share with the animated replay. Plain HTML, CSS and a small hand-written script: no library
and nothing fetched from elsewhere, so the room works offline. Every text from the drill is
put on the page as text (``textContent``), never as markup.
"""

from __future__ import annotations

FONT_STACK = ('"RoomCJK", system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", '
              '"Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "DejaVu Sans", '
              'sans-serif')

CHART_JS = r"""
// A line chart in an <svg>: crowd on the left axis (people), agitation, rumour and statement
// reach on the right (0-100%); vertical marks for injects and decisions; a cursor at time t.
function drawChart(svg, s, crowdMax, opts) {
  opts = opts || {};
  const NS = 'http://www.w3.org/2000/svg';
  const W = 900, H = 300, L = 56, R = 56, T = 16, B = 34;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const tEnd = Math.max(opts.tMax || 0, s.t.length ? s.t[s.t.length - 1] : 0, 60);
  const x = (t) => L + (W - L - R) * t / tEnd;
  const yc = (v) => H - B - (H - T - B) * v / Math.max(crowdMax, 1);
  const ys = (v) => H - B - (H - T - B) * v;
  const el = (name, attrs, text) => {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e); return e;
  };
  el('rect', {x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#888'});
  const step = tEnd > 180 ? 60 : 30;
  for (let t = 0; t <= tEnd; t += step) {
    el('line', {x1: x(t), x2: x(t), y1: T, y2: H - B, stroke: '#444', 'stroke-dasharray': '2,4'});
    el('text', {x: x(t), y: H - B + 18, 'text-anchor': 'middle', class: 'tick'}, 'T+' + t);
  }
  for (let i = 0; i <= 4; i++) {
    el('text', {x: L - 6, y: yc(crowdMax * i / 4) + 5, 'text-anchor': 'end', class: 'tick'},
       Math.round(crowdMax * i / 4));
    el('text', {x: W - R + 6, y: ys(i / 4) + 5, class: 'tick'}, (25 * i) + '%');
  }
  for (const m of (opts.marks || [])) {
    el('line', {x1: x(m.t), x2: x(m.t), y1: T, y2: H - B, stroke: m.color || '#fc6',
                'stroke-width': 1.5});
    el('text', {x: x(m.t) + 3, y: T + 14, class: 'mark', fill: m.color || '#fc6'}, m.label);
  }
  const line = (vals, y, color, width) => {
    if (!vals.length) return;
    const pts = vals.map((v, i) => `${x(s.t[i]).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    el('polyline', {points: pts, fill: 'none', stroke: color, 'stroke-width': width});
  };
  line(s.crowd, yc, '#4fc3f7', 3);
  line(s.agitation, ys, '#ff7043', 3);
  line(s.rumour, ys, '#ba68c8', 3);
  if (s.statement) line(s.statement, ys, '#81c784', 2);
  if (opts.cursor !== undefined) {
    el('line', {x1: x(opts.cursor), x2: x(opts.cursor), y1: T, y2: H - B, stroke: '#fff',
                'stroke-width': 2, id: 'cursor'});
  }
  const legend = opts.legend || [];
  legend.forEach((item, i) => {
    el('rect', {x: L + 10 + i * 170, y: H - 12, width: 14, height: 4, fill: item[1]});
    el('text', {x: L + 30 + i * 170, y: H - 6, class: 'tick'}, item[0]);
  });
}
"""

BASE_CSS = """
* { box-sizing: border-box; }
body { font-family: %(font)s; margin: 0; background: #101418; color: #eee; }
h1, h2, h3 { margin: .2em 0; font-weight: 600; }
.en { color: #9aa; font-size: .55em; font-weight: 400; margin-left: .4em; }
table { border-collapse: collapse; width: 100%%; }
td, th { padding: .15em .4em; border-bottom: 1px solid #333; text-align: left; }
svg text.tick { fill: #ccc; font-size: 14px; } svg text.mark { font-size: 13px; }
.overdue { color: #ff5252; font-weight: 700; }
.state-calm { color: #81c784; } .state-vocal { color: #ffd54f; }
.state-blocking { color: #ff8a65; } .state-scuffle { color: #ff5252; }
.muted { color: #9aa; }
"""

FONT_FACE = """@font-face { font-family: "RoomCJK"; src: url("/font.otf") format("opentype");
  font-display: swap; }"""

PROJECTOR_CSS = """
body { font-size: 26px; padding: .6em 1em; }
header { display: flex; justify-content: space-between; align-items: baseline; }
#clock { font-size: 2.4em; font-weight: 700; color: #fff; }
#title { font-size: 1.2em; }
.figures { display: flex; gap: 1.2em; flex-wrap: wrap; margin: .3em 0; }
.fig { background: #1c232b; padding: .3em .7em; border-radius: .3em; min-width: 6.5em; }
.fig .v { font-size: 1.7em; font-weight: 700; display: block; }
.fig .k { font-size: .7em; color: #9aa; }
.grid { display: grid; grid-template-columns: 1.25fr 1fr; gap: .8em; }
#chart { width: 100%; height: auto; background: #161b21; }
#injects li { color: #ffd54f; margin: .15em 0; } #feed li { font-size: .8em; margin: .1em 0; }
ul { margin: .2em 0; padding-left: 1.1em; }
#teams td { font-size: .85em; } #status { font-size: .8em; color: #9aa; }
"""

CONSOLE_CSS = """
body { font-size: 17px; padding: .6em 1em; background: #f4f5f7; color: #222; }
.en { color: #778; } td, th { border-bottom: 1px solid #ddd; }
section { background: #fff; border: 1px solid #ddd; border-radius: .3em; padding: .5em .8em;
  margin: .5em 0; }
button { font: inherit; padding: .3em .9em; margin: .15em; cursor: pointer; }
button:disabled { opacity: .4; cursor: default; }
#point { font-weight: 700; color: #b71c1c; } #clock { font-size: 1.6em; font-weight: 700; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: .8em; }
label.opt { display: block; margin: .15em 0; } .key { font-family: monospace; color: #555;
  display: inline-block; min-width: 2.5em; }
#error { color: #b71c1c; } #out { color: #1b5e20; font-weight: 700; }
textarea { width: 100%; font: inherit; } input[type=text] { font: inherit; }
"""

PROJECTOR_HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>推演投屏 · Projector</title>
<style>%(font_face)s %(base)s %(css)s</style></head>
<body>
<header><div><h1 id="title"></h1><div id="status"></div></div><div id="clock">T+0</div></header>
<div class="figures">
 <div class="fig"><span class="k" data-label="level"></span><span class="v" id="level"></span></div>
 <div class="fig"><span class="k" data-label="crowd"></span><span class="v" id="crowd"></span></div>
 <div class="fig"><span class="k" data-label="onlookers"></span><span class="v" id="onlookers"></span></div>
 <div class="fig"><span class="k" data-label="state"></span><span class="v" id="state"></span></div>
 <div class="fig"><span class="k" data-label="agitation"></span><span class="v" id="agitation"></span></div>
 <div class="fig"><span class="k" data-label="rumour"></span><span class="v" id="rumour"></span></div>
 <div class="fig"><span class="k" data-label="statement_out"></span><span class="v" id="statement_out"></span></div>
 <div class="fig"><span class="k" data-label="agreement"></span><span class="v" id="agreement"></span></div>
</div>
<div class="grid">
 <div>
  <svg id="chart" role="img"></svg>
  <h3 data-label="team"></h3>
  <table id="teams"><thead><tr><th data-label="team"></th><th data-label="status"></th>
   <th data-label="posture"></th><th data-label="doing"></th></tr></thead><tbody></tbody></table>
 </div>
 <div>
  <h3 data-label="injects"></h3><ul id="injects"></ul>
  <h3 data-label="expected"></h3><ul id="expected"></ul>
  <h3 data-label="feed_all"></h3><ul id="feed"></ul>
 </div>
</div>
<script>%(chart)s
%(common)s
const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh';
function render(st) {
  const v = st[lang];
  fillLabels(st.labels, lang);
  text('title', st.title[lang]);
  text('clock', v.clock);
  text('status', st.point ? st.point[lang] : stateWord(st.state, lang));
  for (const k of ['level', 'crowd', 'onlookers', 'agitation', 'rumour', 'statement_out',
                   'agreement']) text(k, v[k]);
  const s = document.getElementById('state'); s.textContent = v.state;
  s.className = 'v state-' + v.state_key;
  rows('teams', v.teams.map(t => [t.name, t.status, t.posture, t.doing]));
  list('injects', v.injects.map(i => `${i.time} [${i.id}] ${i.text}`));
  list('expected', v.expected.length ? v.expected.map(e => e.text) : [st.labels.none[lang]],
       v.expected.map(e => e.overdue ? 'overdue' : ''));
  list('feed', v.feed.slice().reverse().map(f => `${f.time}  ${f.text}`));
  drawChart(document.getElementById('chart'), st.series, st.crowd_max,
            {legend: legend(st.labels, lang)});
}
listen(render);
</script></body></html>
"""

COMMON_JS = r"""
function text(id, value) { document.getElementById(id).textContent = value; }
function list(id, items, classes) {
  const ul = document.getElementById(id); ul.replaceChildren();
  items.forEach((item, i) => { const li = document.createElement('li'); li.textContent = item;
    if (classes && classes[i]) li.className = classes[i]; ul.appendChild(li); });
}
function rows(id, data) {
  const body = document.querySelector('#' + id + ' tbody'); body.replaceChildren();
  for (const row of data) { const tr = document.createElement('tr');
    for (const cell of row) { const td = document.createElement('td'); td.textContent = cell;
      tr.appendChild(td); } body.appendChild(tr); }
}
function fillLabels(labels, lang) {
  for (const e of document.querySelectorAll('[data-label]')) {
    const l = labels[e.dataset.label]; if (!l) continue;
    e.textContent = l[lang];
    if (lang === 'zh' && e.tagName !== 'TH') { const s = document.createElement('span');
      s.className = 'en'; s.textContent = l.en; e.appendChild(s); }
  }
}
const STATES = {ready: ['未开始', 'not started'], running: ['推演进行中', 'running'],
  paused: ['已暂停', 'paused'], decision: ['决策点', 'decision point'],
  ended: ['推演结束', 'ended'], writing: ['正在生成报告', 'writing the report'],
  written: ['推演结束，报告已生成', 'ended; report written'], failed: ['报告生成失败', 'writing failed']};
function stateWord(state, lang) { const w = STATES[state]; return w ? w[lang === 'zh' ? 0 : 1] : state; }
function legend(labels, lang) {
  return [[labels.crowd[lang], '#4fc3f7'], [labels.agitation[lang], '#ff7043'],
          [labels.rumour[lang], '#ba68c8'], [labels.statement[lang], '#81c784']];
}
function listen(render) {
  let last = -1;
  const apply = (st) => { render(st); last = st.version; document.body.dataset.version = st.version; };
  fetch('/api/state').then(r => r.json()).then(apply);
  const source = new EventSource('/api/stream');
  source.addEventListener('state', (e) => apply(JSON.parse(e.data)));
}
"""

CONSOLE_HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>导调台 · Facilitator console</title>
<style>%(font_face)s %(base)s %(css)s</style></head>
<body>
<h2><span id="title"></span> · 导调台<span class="en">Facilitator console</span></h2>
<section>
 <span id="clock">T+0</span> <span id="status"></span> <span id="point"></span>
 <div>
  <button id="start">开始 Start</button><button id="pause">暂停 Pause</button>
  <button id="resume">继续 Resume</button>
  <button id="step">至下一决策点 Step to next decision</button>
 </div>
 <div id="error"></div><div id="out"></div>%(token_note)s
</section>
<div class="cols">
 <section><h3 data-label="options"></h3>
  <div id="options"></div>
  <div>备注 Note <input type="text" id="note" size="40"></div>
  <button id="decide">执行所选 Apply the chosen</button>
 </section>
 <section><h3 data-label="controls"></h3>
  <div id="controls"></div>
  <h3 data-label="notes"></h3>
  <textarea id="obs-text" rows="3"></textarea>
  <div>记录人 By <input type="text" id="obs-author" size="16">
  <button id="obs-add">记录 Add note</button></div>
  <ul id="notes"></ul>
 </section>
</div>
<section><h3>已作决策 <span class="en">Decisions</span></h3><ul id="decisions"></ul>
 <h3 data-label="expected"></h3><ul id="expected"></ul>
 <h3 data-label="injects"></h3><ul id="injects"></ul></section>
<script>%(common)s
const params = new URLSearchParams(location.search);
const lang = params.get('lang') === 'en' ? 'en' : 'zh';
const token = params.get('token') || '';
function post(path, data) {
  return fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json',
    'X-Room-Token': token}, body: JSON.stringify(data)})
    .then(r => r.json().then(j => { text('error', j.error || ''); return j; }));
}
for (const a of ['start', 'pause', 'resume', 'step'])
  document.getElementById(a).onclick = () => post('/api/control', {action: a});
document.getElementById('decide').onclick = () => {
  const keys = [...document.querySelectorAll('#options input:checked')].map(e => e.value);
  if (!keys.length) return;
  post('/api/decide', {keys, note: document.getElementById('note').value})
    .then(j => { if (j.ok) document.getElementById('note').value = ''; });
};
document.getElementById('obs-add').onclick = () => {
  const t = document.getElementById('obs-text');
  post('/api/note', {text: t.value, author: document.getElementById('obs-author').value})
    .then(j => { if (j.ok) t.value = ''; });
};
let shownOptions = '';
function render(st) {
  const v = st[lang];
  fillLabels(st.labels, lang);
  text('title', st.title[lang]);
  text('clock', v.clock);
  text('status', stateWord(st.state, lang));
  text('point', st.point ? st.point[lang] : '');
  const over = ['ended', 'writing', 'written', 'failed'].includes(st.state);
  document.getElementById('start').disabled = st.state !== 'ready';
  document.getElementById('pause').disabled = st.state !== 'running';
  document.getElementById('resume').disabled = over || st.state === 'running' || st.state === 'ready';
  document.getElementById('step').disabled = over;
  document.getElementById('decide').disabled = over;
  text('out', st.out ? (lang === 'zh' ? '输出文件夹：' : 'Output folder: ') + st.out : '');
  if (st.error) text('error', st.error);
  const trainees = st.options.filter(o => o.group === 'trainees');
  const sig = JSON.stringify(trainees.map(o => o.key));
  if (sig !== shownOptions) {
    shownOptions = sig;
    const box = document.getElementById('options'); box.replaceChildren();
    for (const o of trainees) {
      const l = document.createElement('label'); l.className = 'opt';
      const c = document.createElement('input'); c.type = 'checkbox'; c.value = o.key;
      c.dataset.key = o.key;
      const k = document.createElement('span'); k.className = 'key'; k.textContent = o.key;
      l.append(c, k, document.createTextNode(lang === 'zh' ? o.label_zh : o.label_en));
      box.appendChild(l);
    }
  }
  const ctl = document.getElementById('controls'); ctl.replaceChildren();
  for (const o of st.options.filter(o => o.group === 'facilitator')) {
    const b = document.createElement('button'); b.dataset.key = o.key;
    b.textContent = lang === 'zh' ? o.label_zh : o.label_en;
    b.onclick = () => post('/api/decide', {keys: [o.key], note: ''});
    ctl.appendChild(b);
  }
  list('notes', st.notes.slice().reverse().map(n => `T+${Math.floor(n.t_min)} ${n.author ? n.author + '：' : ''}${n.text}`));
  list('decisions', st.decisions.slice().reverse().map(d => `T+${Math.floor(d.t_min)} ${lang === 'zh' ? d.label_zh : d.label_en}${d.note ? ' — ' + d.note : ''}`));
  list('expected', v.expected.map(e => e.text), v.expected.map(e => e.overdue ? 'overdue' : ''));
  list('injects', v.injects.map(i => `${i.time} [${i.id}] ${i.text}`));
}
listen(render);
</script></body></html>
"""


def projector_page() -> str:
    """The projector view: read-only, large type, Chinese first (``?lang=en`` for English)."""
    return PROJECTOR_HTML % {"font_face": FONT_FACE, "base": BASE_CSS % {"font": FONT_STACK},
                             "css": PROJECTOR_CSS, "chart": CHART_JS, "common": COMMON_JS}


def console_page(token_needed: bool) -> str:
    """The facilitator console; with ``token_needed``, its address must carry the token
    (``/console?token=...``, as printed when the room starts)."""
    note = ('<div class="muted">控制操作需要导调员令牌（启动时打印的控制台地址已包含）。'
            'Controls need the facilitator\'s token (in the console address printed at '
            'start).</div>') if token_needed else ""
    return CONSOLE_HTML % {"font_face": FONT_FACE, "base": BASE_CSS % {"font": FONT_STACK},
                           "css": CONSOLE_CSS, "common": COMMON_JS, "token_note": note}
