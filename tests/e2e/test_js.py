"""Every JS command built in Python, run by the official client in Chromium: one button each
(tests/e2e/apps/js.py), and the visible effect of each click checked in the page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

APP = "tests.e2e.apps.js:app"
GALLERY = "liveview.gallery.app:app"


@pytest.fixture
def page_js(live_server: Callable[..., str], page: Page) -> Page:
    page.goto(live_server(APP) + "/js")
    expect(page.locator("[data-phx-main]")).to_contain_class("phx-connected")
    return page


def seen(page: Page, element_id: str) -> list[str]:
    """Every ``class|display`` the element went through since the page loaded."""
    result: list[str] = page.evaluate(f"window.seen[{element_id!r}] || []")
    return result


def active_id(page: Page) -> str:
    result: str = page.evaluate("document.activeElement && document.activeElement.id")
    return result


def test_push_with_value_and_a_component_target_reaches_handle_event(page_js: Page) -> None:
    page = page_js
    page.click("#push")
    expect(page.locator("#count")).to_have_text("2")
    # the value merged over phx-value-from, the quotes and brackets intact through the attribute
    expect(page.locator("#last")).to_have_text('button it\'s <b>&"quoted"')
    page.click("#push-target")
    expect(page.locator("#bumps")).to_have_text("5")
    page.click("#push-target")
    expect(page.locator("#bumps")).to_have_text("10")
    expect(page.locator("#count")).to_have_text("2")  # the component got them, not the view


def test_show_and_hide_with_display_and_transitions(page_js: Page) -> None:
    page = page_js
    box = page.locator("#box")
    expect(box).to_be_hidden()
    page.click("#show")
    expect(box).to_be_visible()
    expect(box).to_have_css("display", "flex")
    expect(box).not_to_have_class(re.compile(r"\bfade\b"))  # the transition's classes go at the end
    expect(box).not_to_have_class(re.compile(r"\bo[01]\b"))
    history = seen(page, "box")
    assert any("fade" in s and "o0" in s for s in history), history  # start: running + o0
    assert any("fade" in s and "o1" in s and s.endswith("|flex") for s in history), history

    page.click("#hide")
    expect(box).to_be_hidden()
    expect(box).not_to_have_class(re.compile(r"\bfade\b"))
    history = seen(page, "box")
    assert any("fade" in s and "o0" in s and s.endswith("|flex") for s in history), history
    assert history[-1].endswith("|none"), history


def test_toggle_with_and_without_transitions(page_js: Page) -> None:
    page = page_js
    panel = page.locator("#panel")
    expect(panel).to_be_visible()
    page.click("#toggle")
    expect(panel).to_be_hidden()
    assert any("fade" in s for s in seen(page, "panel"))  # the out transition ran
    page.click("#toggle")
    expect(panel).to_be_visible()
    expect(panel).to_have_css("display", "block")  # the client's default
    expect(panel).not_to_have_class(re.compile(r"\bfade\b"))
    page.click("#toggle-plain")
    expect(panel).to_be_hidden()
    page.click("#toggle-plain")
    expect(panel).to_have_css("display", "inline")


def test_classes_and_a_transition(page_js: Page) -> None:
    page = page_js
    target = page.locator("#target")
    page.click("#add-class")
    expect(target).to_have_class("start big red")
    page.click("#remove-class")
    expect(target).to_have_class("big")
    page.click("#toggle-class")
    expect(target).to_have_class("big on")
    page.click("#toggle-class")
    expect(target).to_have_class("big")
    page.click("#transition")
    page.wait_for_function("(window.seen.target || []).some((s) => s.includes('shake'))")
    expect(target).to_have_class("big")  # the transition's class gone after its 300 ms


def test_attributes(page_js: Page) -> None:
    page = page_js
    target = page.locator("#target")
    page.click("#set-attr")
    expect(target).to_have_attribute("aria-expanded", "true")
    page.click("#remove-attr")
    expect(target).not_to_have_attribute("title", re.compile(".*"))
    page.click("#toggle-attr")
    expect(target).to_have_attribute("data-state", "open")
    page.click("#toggle-attr")
    expect(target).to_have_attribute("data-state", "closed")
    page.click("#toggle-attr")
    expect(target).to_have_attribute("data-state", "open")
    # set by JS, they stay through a server patch of the page
    page.click("#push")
    expect(page.locator("#count")).to_have_text("2")
    expect(target).to_have_attribute("aria-expanded", "true")
    expect(target).to_have_attribute("data-state", "open")


def test_dispatch_reaches_a_listener_with_its_detail(page_js: Page) -> None:
    page = page_js
    page.click("#dispatch")
    expect(page.locator("#target")).to_have_attribute("data-pinged", "5 from dispatch")


def test_exec_runs_another_element_s_attribute(page_js: Page) -> None:
    page = page_js
    box = page.locator("#exec-box")
    expect(box).to_be_hidden()
    page.click("#exec")
    expect(box).to_be_visible()
    expect(box).to_have_class("opened")


def test_a_pushed_event_carries_commands_the_page_executes(page_js: Page) -> None:
    page = page_js
    page.click("#push-event")
    expect(page.locator("#pushed-box")).to_be_visible()
    expect(page.locator("#pushed-box")).to_have_attribute("data-by", "push_event")


def test_focus_commands(page_js: Page) -> None:
    page = page_js
    page.click("#focus")
    page.wait_for_function("document.activeElement.id === 'second-input'")
    page.click("#focus-first")
    page.wait_for_function("document.activeElement.id === 'first-input'")
    page.click("#push-focus")  # remembers the button, then focuses the first input
    page.wait_for_function("document.activeElement.id === 'first-input'")
    page.click("#pop-focus")  # the click focuses this button; pop_focus goes back
    page.wait_for_function("document.activeElement.id === 'push-focus'")
    assert active_id(page) == "push-focus"


def test_patch_and_navigate_change_the_url_without_a_reload(page_js: Page) -> None:
    page = page_js
    loaded_at = page.evaluate("window.loadedAt")
    length = page.evaluate("history.length")
    page.click("#patch")
    expect(page).to_have_url(re.compile(r"/js\?tab=2$"))
    expect(page.locator("#tab")).to_have_text("2")  # handle_params ran
    assert page.evaluate("history.length") == length + 1
    page.click("#patch-replace")
    expect(page).to_have_url(re.compile(r"/js\?tab=3$"))
    expect(page.locator("#tab")).to_have_text("3")
    assert page.evaluate("history.length") == length + 1  # replaced, not pushed
    page.click("#navigate")
    expect(page).to_have_url(re.compile(r"/js/other$"))
    expect(page.locator("#other")).to_be_visible()
    assert page.evaluate("history.length") == length + 2
    assert page.evaluate("window.loadedAt") == loaded_at  # a live navigation, no page load
    page.go_back()
    expect(page.locator("#tab")).to_have_text("3")
    page.click("#navigate-replace")
    expect(page.locator("#other")).to_be_visible()
    assert page.evaluate("history.length") == length + 2
    page.go_back()  # /js?tab=3 was replaced: back goes to the entry before it
    expect(page).to_have_url(re.compile(r"/js$"))
    expect(page.locator("#tab")).to_have_text("1")
    assert page.evaluate("window.loadedAt") == loaded_at


def test_the_gallery_s_modal_dropdown_and_tabs(live_server: Callable[..., str], page: Page) -> None:
    page.goto(live_server(GALLERY) + "/js")
    expect(page.locator("[data-phx-main]")).to_contain_class("phx-connected")

    # the modal: opened with the focus inside, closed by Escape with the focus given back
    dialog = page.locator("#modal-dialog")
    page.click("#open-modal")
    expect(dialog).to_be_visible()
    page.wait_for_function("document.activeElement.id === 'modal-cancel'")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.wait_for_function("document.activeElement.id === 'open-modal'")
    page.click("#open-modal")
    page.click("#modal-confirm")
    expect(page.locator("#drafts")).to_have_text("2")
    expect(dialog).to_be_hidden()
    page.click("#open-modal")
    expect(dialog).to_be_visible()
    page.mouse.click(5, 5)  # on the backdrop: a click away from the dialog
    expect(dialog).to_be_hidden()
    expect(page.locator("#drafts")).to_have_text("2")

    # the dropdown: toggled by its button, closed by a choice or a click elsewhere
    menu, button = page.locator("#menu"), page.locator("#menu-button")
    button.click()
    expect(menu).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    page.click("#menu-duplicate")
    expect(page.locator("#choice")).to_have_text("Duplicate")
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(menu).to_be_visible()
    page.click("h1")
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")

    # the tabs: one panel shown, its button marked, also after a server patch
    def selected(tab: str) -> None:
        for other in ("about", "chain", "patch"):
            panel, tab_button = page.locator(f"#panel-{other}"), page.locator(f"#tab-{other}")
            if other == tab:
                expect(panel).to_be_visible()
                expect(tab_button).to_have_class("tab active")
                expect(tab_button).to_have_attribute("aria-selected", "true")
            else:
                expect(panel).to_be_hidden()
                expect(tab_button).to_have_class("tab")
                expect(tab_button).to_have_attribute("aria-selected", "false")

    selected("about")
    page.click("#tab-chain")
    selected("chain")
    page.click("#tab-chain")  # the selected tab again: nothing changes
    selected("chain")
    page.click("#tab-patch")
    selected("patch")
    page.click("#open-modal")
    page.click("#modal-confirm")
    expect(page.locator("#drafts")).to_have_text("1")
    selected("patch")


def test_push_with_loading_and_page_loading(page_js: Page) -> None:
    page = page_js
    loads_before = page.evaluate("window.pageLoads.length")
    page.click("#push-loading")
    expect(page.locator("#slow")).to_have_text("done")
    history = seen(page, "loading-target")
    assert any("phx-click-loading" in s for s in history), history  # while the server worked
    expect(page.locator("#loading-target")).not_to_have_class(re.compile("phx-click-loading"))
    assert "element" in page.evaluate("window.pageLoads")[loads_before:]


def test_ignore_attributes_keeps_the_browser_s_value_through_patches(page_js: Page) -> None:
    page = page_js
    ignored = page.locator("#ignored")
    page.click("#push")
    expect(page.locator("#count")).to_have_text("2")
    expect(ignored).to_have_attribute("data-count", "2")
    page.click("#ignore")
    page.click("#push")
    expect(page.locator("#count")).to_have_text("4")
    expect(ignored).to_have_attribute("data-count", "2")  # the server's 4 is not applied
