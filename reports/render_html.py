"""Render a :class:`Document` as one self-contained HTML page (charts embedded).

Text from plan and scenario files is escaped by Jinja2's autoescaping: a title such as
``<script>`` shows as text and never runs; characters a page cannot carry (control
characters, unpaired surrogates) are replaced first.
"""

from __future__ import annotations

import base64
import hashlib
import re

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from reports.document import Bullets, Document, Figure, Link, Subheading, Table

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ 'zh-CN' if doc.lang == 'zh' else 'en' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.title }}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans",
       "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
       "WenQuanYi Micro Hei", sans-serif;
       margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f3f3f3; } tr:nth-child(even) td { background: #fafafa; }
figure { margin: 1rem 0; } figure img, figure svg { max-width: 100%; height: auto; }
h3 { font-size: 1.1rem; margin-top: 1.2rem; } figcaption { color: #555; font-size: .9rem; }
.subtitle { color: #555; } footer { margin-top: 2rem; color: #777; font-size: .85rem; }
</style>
</head>
<body>
<h1>{{ doc.title }}</h1>
{% if doc.org or doc.date %}<p class="subtitle">{{ doc.org }}　{{ doc.date }}</p>{% endif %}
{% if doc.subtitle %}<p class="subtitle">{{ doc.subtitle }}</p>{% endif %}
{% for para in doc.preface %}<p>{{ para }}</p>
{% endfor %}
{% for section in doc.sections %}
<section>
<h2>{{ section.title }}</h2>
{% for block in section.blocks %}
{% if block is table %}
<table>
<thead><tr>{% for c in block.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in block.rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
{% elif block is figure %}
<figure class="chart">{% if block.svg %}{{ block.svg | safe_svg }}{% else %}<img alt="{{ block.caption }}" src="data:image/png;base64,{{ block | b64 }}">{% endif %}
<figcaption>{{ block.caption }}</figcaption></figure>
{% elif block is subheading %}
<h3>{{ block.text }}</h3>
{% elif block is link %}
<p><a href="{{ block.href }}">{{ block }}</a></p>
{% elif block is bullets %}
<ul>{% for item in block.items %}<li>{{ item }}</li>{% endfor %}</ul>
{% else %}
<p>{{ block }}</p>
{% endif %}
{% endfor %}
</section>
{% endfor %}
<footer>{{ doc.footer }}</footer>
</body>
</html>
"""


def _inline_svg(svg: str) -> Markup:
    """An SVG chart made by matplotlib, inlined: its text stays text (Chinese is drawn by the
    browser's fonts). matplotlib escapes the labels it writes; anything before the root
    element (XML declaration, doctype) is dropped."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else ""
    body = re.sub(r"<script.*?</script>", "", body, flags=re.S | re.I)
    # matplotlib numbers its elements the same way in every chart (patch_1, ytick_3...):
    # prefixed per chart, the ids stay unique in the page and the references follow them
    prefix = "c" + hashlib.sha1(body.encode("utf-8", "surrogatepass")).hexdigest()[:8] + "-"
    body = re.sub(r'(\sid=")', r"\1" + prefix, body)
    body = re.sub(r'((?:xlink:)?href="#)', r"\1" + prefix, body)
    body = re.sub(r"url\(#", "url(#" + prefix, body)
    return Markup(body)


_NOT_HTML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _finalize(value):
    """Every value the page prints: characters HTML cannot carry (control characters other
    than tab and line breaks, unpaired surrogates) become U+FFFD; escaping follows."""
    if isinstance(value, Markup):
        return Markup(_NOT_HTML.sub("\ufffd", str(value)))
    if isinstance(value, str):
        return _NOT_HTML.sub("\ufffd", value)
    return value


def _environment() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                      finalize=_finalize)
    env.tests["table"] = lambda b: isinstance(b, Table)
    env.tests["figure"] = lambda b: isinstance(b, Figure)
    env.tests["subheading"] = lambda b: isinstance(b, Subheading)
    env.tests["bullets"] = lambda b: isinstance(b, Bullets)
    env.tests["link"] = lambda b: isinstance(b, Link)
    env.filters["b64"] = lambda f: base64.b64encode(f.png).decode("ascii")
    env.filters["safe_svg"] = _inline_svg
    return env


def render(doc: Document) -> str:
    """The page as text."""
    return _environment().from_string(_TEMPLATE).render(doc=doc)
