"""URL attributes against Chromium's own HTML parser: no value becomes a script URL.

Random templates (a fixed seed) put expressions in and around URL attributes, in branches and
loops; each is rendered with values meant to make a script URL, alone or with the static text
around them, and parsed by the browser (``DOMParser``). Every URL attribute the browser sees
must hold no refused scheme, unless the template holds it with harmless values too (then it is
the template author's static text). This checks ``htmlscan`` reads HTML as a browser does.

Random tags with unquoted attribute values (expressions, static bits, branches, loops) are
rendered with values that would end the value, and must give Chromium the same elements and
attribute names as with a harmless value (``unquoted``).
"""

from __future__ import annotations

import logging
import random
from typing import Any

import pytest
from playwright.sync_api import Page

from liveview.template import Template
from liveview.template.urls import NAVIGATING, URL_ATTRIBUTES

SEED, TEMPLATES = 2026, 400
VALUES = ["javascript:alert(1)", "script:alert(1)", "javascript", " java\tscript:x", "vbscript:x"]
VALUES += ["data:text/html,x", ":", "java", ""]

EXPR = "{{ m }}"
VALUE_BITS = [EXPR, EXPR, "java", "script", ":", "&#58;", "&#x9;", "&colon;", "\t", " ", "/", "#"]
VALUE_BITS += ["x", "1", "?", "&", "="]
NAMES = ["href", "src", "action", "title", "data-x", "HREF", "formaction", "xlink:href", "data"]
TAGS = ["a", "img", "form", "iframe", "A", "button", "object", "svg", "p", "title", "script"]
TEXT = [
    " ",
    "x",
    "</a>",
    "<p>",
    "\n",
    "<br/>",
    "java",
    "script",
    ":",
    "&amp;",
    "<!-- -->",
    "</svg>",
]


def value(rng: random.Random, depth: int) -> str:
    out = []
    for _ in range(rng.randint(0, 4)):
        pick = rng.random()
        if pick < 0.1 and depth < 3:
            other = "{% else %}" + value(rng, depth + 1) if rng.random() < 0.5 else ""
            out.append("{% if c %}" + value(rng, depth + 1) + other + "{% endif %}")
        elif pick < 0.15 and depth < 3:
            out.append("{% for i in r %}" + value(rng, depth + 1) + "{% endfor %}")
        else:
            out.append(rng.choice(VALUE_BITS))
    return "".join(out)


def attribute(rng: random.Random, depth: int) -> str:
    name, quote = rng.choice(NAMES), rng.choice("\"'")
    if rng.random() < 0.1 and depth < 3:
        return " {% if c %}" + attribute(rng, depth + 1) + "{% endif %}"
    space, equals = rng.choice([" ", "\n", "/"]), rng.choice(["=", " = "])
    return space + name + equals + quote + value(rng, depth) + quote


def template(rng: random.Random, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randint(1, 6)):
        pick = rng.random()
        if pick < 0.5:
            attributes = "".join(attribute(rng, depth) for _ in range(rng.randint(0, 3)))
            out.append("<" + rng.choice(TAGS) + attributes + rng.choice([">", "/>"]))
        elif pick < 0.6:
            out.append(EXPR)
        elif pick < 0.7 and depth < 3:
            other = "{% else %}" + template(rng, depth + 1) if rng.random() < 0.5 else ""
            out.append("{% if c %}" + template(rng, depth + 1) + other + "{% endif %}")
        elif pick < 0.77 and depth < 3:
            out.append("{% for i in r %}" + template(rng, depth + 1) + "{% endfor %}")
        else:
            out.append(rng.choice(TEXT))
    return "".join(out)


SCRIPT_URLS = """([documents, urlAttributes, navigating]) => documents.map((html) => {
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const element of doc.querySelectorAll("*")) {
    for (const { name, value } of element.attributes) {
      if (!urlAttributes.includes(name.toLowerCase())) continue;
      const url = value.replace(/^[\\u0000-\\u0020]+/, "").replace(/[\\t\\n\\r]/g, "");
      const scheme = (/^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url) || [])[1]?.toLowerCase();
      if (scheme === "javascript" || scheme === "vbscript") return `${name}=${value}`;
      if (scheme === "data" && navigating.includes(name.toLowerCase())) return `${name}=${value}`;
    }
  }
  return null;
})"""


def test_no_value_becomes_a_script_url_where_chromium_reads_one(page: Page) -> None:
    rng = random.Random(SEED)
    cases: list[tuple[str, dict[str, Any], str, str]] = []
    logging.getLogger("liveview.template").disabled = True
    try:
        for _ in range(TEMPLATES):
            source = template(rng)
            compiled = Template(source)
            for assigns in ({"c": True, "r": [1, 2]}, {"c": False, "r": []}):
                harmless = compiled.render_html({**assigns, "m": "zz"})
                for m in VALUES:
                    rendered = compiled.render_html({**assigns, "m": m})
                    cases.append((source, {**assigns, "m": m}, harmless, rendered))
    finally:
        logging.getLogger("liveview.template").disabled = False
    attributes = [sorted(URL_ATTRIBUTES), sorted(NAVIGATING)]
    static = page.evaluate(SCRIPT_URLS, [[case[2] for case in cases], *attributes])
    found = page.evaluate(SCRIPT_URLS, [[case[3] for case in cases], *attributes])
    misses = [
        (source, assigns, attribute)
        for (source, assigns, _, _), by_author, attribute in zip(cases, static, found, strict=True)
        if attribute and not by_author
    ]
    assert len(cases) > 5000
    assert not misses, misses[:3]


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JAVA\tSCRIPT:alert(1)"])
def test_clicking_a_refused_link_runs_nothing_and_stays(page: Page, url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    source = '<a id="link" href="{{ url }}">x</a><img src="{{ url }}"><p id="here">here</p>'
    page.set_content(Template(source).render_html({"url": url}))
    assert page.get_attribute("img", "src") == "data:,"
    page.click("#link")
    page.wait_for_timeout(200)
    assert dialogs == []
    assert page.text_content("#here") == "here"


# -- unquoted values: nothing an assign holds adds an attribute or a tag ------------------------

INJECTIONS = ["a onclick=alert(1)", "x><img src=x onerror=alert(1)>", "a\tb\nc\fd\re", "'\"`="]
UNQUOTED_BITS = [EXPR, EXPR, "x", "-", "/", "1", "&amp;"]  # no space: the template's own is sound


def unquoted_value(rng: random.Random, depth: int) -> str:
    out = []
    for _ in range(rng.randint(1, 3)):
        pick = rng.random()
        if pick < 0.15 and depth < 2:
            out.append("{% if c %}" + unquoted_value(rng, depth + 1) + "{% endif %}")
        elif pick < 0.25 and depth < 2:
            out.append("{% for i in r %}" + unquoted_value(rng, depth + 1) + "{% endfor %}")
        else:
            out.append(rng.choice(UNQUOTED_BITS))
    return "".join(out)


def unquoted_tag(rng: random.Random) -> str:
    attributes = []
    for index in range(rng.randint(1, 3)):
        name = rng.choice(["title", "class", "href", "src", "alt"]) + str(index)
        if rng.random() < 0.2:
            attributes.append(f'{name}="{unquoted_value(rng, 0)}"')
        else:
            attributes.append(f"{name}={unquoted_value(rng, 0)}")
    return "<" + rng.choice(["a", "img", "p", "input"]) + " " + " ".join(attributes) + ">"


ELEMENTS = """(documents) => documents.map((html) => {
  const doc = new DOMParser().parseFromString(html, "text/html");
  return [...doc.body.querySelectorAll("*")]
    .map((element) => element.tagName + " " + element.getAttributeNames().join(" "));
})"""


def test_no_assign_adds_an_attribute_or_a_tag_where_chromium_reads_them(page: Page) -> None:
    rng = random.Random(SEED)
    sources = ["".join(unquoted_tag(rng) for _ in range(rng.randint(1, 3))) for _ in range(200)]
    harmless, attacked, cases = [], [], []
    for source in sources:
        compiled = Template(source)
        for assigns in ({"c": True, "r": [1, 2]}, {"c": False, "r": [1]}):
            for m in INJECTIONS:
                harmless.append(compiled.render_html({**assigns, "m": "zz"}))
                attacked.append(compiled.render_html({**assigns, "m": m}))
                cases.append((source, assigns, m))
    expected, found = page.evaluate(ELEMENTS, harmless), page.evaluate(ELEMENTS, attacked)
    misses = [
        (case, want, got)
        for case, want, got in zip(cases, expected, found, strict=True)
        if want != got
    ]
    assert len(cases) > 1000
    assert not misses, misses[:3]
