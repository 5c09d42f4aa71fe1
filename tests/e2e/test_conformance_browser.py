"""The official client in Chromium, driven by clicks and form changes on a page with loops and
conditionals: its live DOM equals the dead render (HTTP GET) of the same state.

The page links to its own state (`#permalink`, see tests/e2e/apps/conformance.py); after every
click, and at the end, the container's HTML in the live DOM is compared with the container's
HTML in the dead render of that link, both serialized by Chromium. NORMALIZATION (the only
one): what the client adds itself is removed from both sides -- classes starting with `phx-`
(`phx-click-loading`, ...), attributes `data-phx-ref-*`, `data-phx-id`, `data-phx-skip`,
`data-phx-component`, `data-phx-view`, and a `class` attribute left empty by removing them.
(The app never renders an empty `class` itself.)

Comparisons are made after clicks only: a click moves focus to a button, and the client
deliberately keeps the attributes of a *focused* form field as they were (so as not to fight
the user's typing), which is not a difference in what the server sent.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

APP = "tests.e2e.apps.conformance:app"
MAIN = "[data-phx-main]"
PENDING = ".phx-click-loading, .phx-change-loading, .phx-submit-loading, [data-phx-ref-src]"

# The one normalization, applied to the live container and to the dead-rendered one alike.
NORMALIZED_HTML = """
(root) => {
  const clone = root.cloneNode(true);
  const clientAttr = /^data-phx-(ref-|id$|skip$|component$|view$)/;
  for (const el of clone.querySelectorAll("*")) {
    for (const name of [...el.classList]) {
      if (name.startsWith("phx-")) el.classList.remove(name);
    }
    if (el.hasAttribute("class") && el.getAttribute("class").trim() === "") {
      el.removeAttribute("class");
    }
    for (const attr of [...el.attributes]) {
      if (clientAttr.test(attr.name)) el.removeAttribute(attr.name);
    }
  }
  return clone.innerHTML;
}
"""

DEAD_RENDER_HTML = f"""
(html) => {{
  const doc = new DOMParser().parseFromString(html, "text/html");
  const main = doc.querySelector({MAIN!r});
  if (!main) throw new Error("no LiveView container in the dead render");
  return ({NORMALIZED_HTML})(main);
}}
"""


def settle(page: Page) -> None:
    """Wait until no event is pending: every reply (and its diff) has been applied."""
    expect(page.locator(MAIN)).to_contain_class("phx-connected")
    expect(page.locator(PENDING)).to_have_count(0)


def assert_live_equals_dead_render(page: Page, base: str) -> None:
    settle(page)
    href = page.locator("#permalink").get_attribute("href")
    assert href is not None and href.startswith("?state=")
    live = page.locator(MAIN).evaluate(NORMALIZED_HTML)
    response = page.request.get(f"{base}/board{href}")
    assert response.ok, response.status
    dead = page.evaluate(DEAD_RENDER_HTML, response.text())
    assert '<ul id="items">' in live
    assert live == dead


def test_live_dom_equals_dead_render_after_clicks_and_form_changes(
    live_server: Callable[..., str], page: Page
) -> None:
    base = live_server(APP)
    page.goto(f"{base}/board")
    assert_live_equals_dead_render(page, base)

    def click(selector: str) -> None:
        page.click(selector)
        assert_live_equals_dead_render(page, base)

    def add(title: str) -> None:
        page.fill("#draft", title)
        expect(page.locator("#preview b")).to_have_text(title)
        click("#add-button")

    page.fill("#title-input", 'Mes <choses> & "d\'été" 😀')
    expect(page.locator("#heading")).to_have_text('Mes <choses> & "d\'été" 😀')
    add("milk & <eggs>")
    add('pay "rent"')
    add("🍰 'cake'")
    add("zèbre")
    click("#item-2 .toggle")
    click("#item-3 .tag")
    click("#item-3 .tag")
    click("#item-1 .tag")
    click("#item-4 .up")
    click("#item-4 .up")
    click("#reverse")

    page.check("#details")  # a nested loop appears in every entry
    expect(page.locator("#items .tags").first).to_be_visible()
    click("#item-1 .toggle")
    click("#item-3 .tag")

    page.select_option("#filter", "done")  # the loop shrinks to the done items
    expect(page.locator("#items > li")).to_have_count(2)
    click("#item-2 .toggle")
    page.select_option("#filter", "open")
    expect(page.locator("#items > li")).to_have_count(3)
    click("#item-3 .remove")
    page.select_option("#filter", "done")
    expect(page.locator("#items > li")).to_have_count(1)
    click("#item-1 .toggle")  # nothing is done any more: the loop's else branch
    expect(page.locator("#empty")).to_have_text("Nothing done here.")
    click("#reverse")
    page.select_option("#filter", "all")
    page.uncheck("#details")
    expect(page.locator("#items .tags")).to_have_count(0)
    click("#item-4 .toggle")
    click("#clear-done")
    add("last <one>")

    expect(page.locator("#count")).to_have_text("3 items, 0 done")
    expect(page.locator("#items > li .title")).to_have_text(
        ["milk & <eggs>", 'pay "rent"', "last <one>"]
    )
    assert_live_equals_dead_render(page, base)
