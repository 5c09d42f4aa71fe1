"""The gallery's page layout: a top bar back to the index, then the example beside its source.

The layout is given the page's LiveView class (`view`); `frame` marks each example's class with
its entry, which the layout reads to write the title, the "what to try" hint and the source
panel. Pages that are not examples (the index) get the top bar and the stylesheet only.
"""

from __future__ import annotations

from collections.abc import Iterable

from liveview.gallery.example import Example

ATTRIBUTE = "gallery_example"
"""The class attribute the layout reads an example's entry from."""

SUFFIX = " · liveview gallery"

# The page's LiveView container stays a sibling of the default layout's notices (their CSS
# finds the container's connection state that way), so the frame is a grid on <body> itself:
# the example beside its source on a wide screen, one under the other on a phone. The source
# spans the hint's and the example's rows; the example's row takes what it is taller by.
FRAME_CSS = """
body > [data-phx-main] { background: #fff; border: 1px solid var(--border);
  border-radius: var(--radius); box-shadow: var(--shadow); padding: 1.25rem 1.5rem;
  margin-bottom: 1.5rem; }
body > [data-phx-main] > :first-child { margin-top: 0; }
@media (min-width: 60rem) {
  body { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 0.85fr);
    grid-template-rows: auto auto 1fr; column-gap: 1.5rem; align-items: start; }
  body > * { grid-column: 1; }
  body > .topbar, body > .lv-notices { grid-column: 1 / -1; }
  body > .frame-source { grid-column: 2; grid-row: 2 / span 2; }
}
@media (max-width: 30rem) { body > [data-phx-main] { padding: 1rem; } }
"""

LAYOUT = """{% extends "liveview/layout.html" %}
{% block head %}<link rel="stylesheet" href="{{ assets }}/gallery.css">
{%- if view.gallery_example %}<style>{{ frame_css }}</style>{% endif %}{{ super() }}{% endblock %}
{% block title %}{% set example = view.gallery_example %}{% if example -%}
<title data-default="{{ example.title }}" data-suffix="{{ suffix }}">
  {{- page_title or example.title }}{{ suffix }}</title>
{%- else -%}
<title data-default="{{ default_title }}">{{ page_title or default_title }}</title>
{%- endif %}{% endblock %}
{% block body %}{% set example = view.gallery_example %}
<header class="topbar">
  <nav class="row" aria-label="gallery">
    <a id="gallery-home" class="brand" href="/">liveview gallery</a>
    {%- if example %}
    <span class="muted" aria-hidden="true">/</span>
    <span id="example-title">{{ example.title }}</span>
    {%- if example.multiplayer %}<span class="badge">multi-player</span>{% endif %}
    {%- endif %}
  </nav>
</header>
{% if example and example.hint -%}
<p class="try" id="try"><strong>Try it</strong> {{ example.hint }}</p>
{% endif -%}
{{ super() }}
{% if example -%}
<aside class="frame-source" aria-label="source">
  <details open>
    <summary>Source <code>{{ example.source_file }}</code></summary>
    <pre id="source"><code>{{ example.source }}</code></pre>
  </details>
</aside>
{%- endif %}
{% endblock %}""".replace("{{ suffix }}", SUFFIX).replace("{{ frame_css }}", FRAME_CSS)
"""Jinja source for `LiveViewApp(layout=)`."""


def frame(examples: Iterable[Example]) -> None:
    """Mark each example's LiveView class with its entry, for the layout to find."""
    for example in examples:
        if example.view is not None:
            setattr(example.view, ATTRIBUTE, example)
