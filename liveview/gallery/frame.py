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

LAYOUT = """{% extends "liveview/layout.html" %}
{% block head %}<link rel="stylesheet" href="{{ assets }}/gallery.css">{{ super() }}{% endblock %}
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
{% if example -%}
<div class="frame">
  <main class="frame-example">
    {% if example.hint -%}
    <p class="try" id="try"><strong>Try it</strong> {{ example.hint }}</p>
    {%- endif %}
    {{ super() }}
  </main>
  <aside class="frame-source" aria-label="source">
    <details open>
      <summary>Source <code>{{ example.source_file }}</code></summary>
      <pre id="source"><code>{{ example.source }}</code></pre>
    </details>
  </aside>
</div>
{%- else -%}
<main class="page">{{ super() }}</main>
{%- endif %}
{% endblock %}""".replace("{{ suffix }}", SUFFIX)
"""Jinja source for `LiveViewApp(layout=)`."""


def frame(examples: Iterable[Example]) -> None:
    """Mark each example's LiveView class with its entry, for the layout to find."""
    for example in examples:
        if example.view is not None:
            setattr(example.view, ATTRIBUTE, example)
