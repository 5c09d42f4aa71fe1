"""A modal, a dropdown and tabs run in the browser by JS commands: no round trip to open, close
or switch anything; the server hears only the choices (``JS.push``).

The commands are built in Python (`modal_open`, `modal_close`...) and given to the template as
assigns; a template may also build them itself, ``JS`` being a template global.
"""

from typing import Any

from liveview import JS, LiveView, LiveViewSocket
from liveview.gallery.example import Example

FADE_IN = ("fade-in", "opacity-0", "opacity-100")
FADE_OUT = ("fade-out", "opacity-100", "opacity-0")


def modal_open(id: str) -> JS:
    """Show the modal and its dialog fading in, remember the focused button, focus the first
    button of the dialog."""
    return (
        JS.push_focus()
        .show(to=f"#{id}", transition=FADE_IN, time=200)
        .focus_first(to=f"#{id}-dialog")
    )


def modal_close(id: str) -> JS:
    """Fade the modal out and give the focus back to the button that opened it."""
    return JS.hide(to=f"#{id}", transition=FADE_OUT, time=150).pop_focus()


def menu_close() -> JS:
    return JS.hide(to="#menu", transition=FADE_OUT, time=100).set_attribute(
        ("aria-expanded", "false"), to="#menu-button"
    )


def menu_toggle() -> JS:
    return JS.toggle(to="#menu", in_=FADE_IN, out=FADE_OUT, time=100).toggle_attribute(
        ("aria-expanded", "true", "false")
    )


def tab_select(tab: str) -> JS:
    """Show this tab's panel and mark its button, hide and unmark the others."""
    return (
        JS.hide(to=f".tab-panel:not(#panel-{tab})")
        .show(to=f"#panel-{tab}")
        .remove_class("active", to=f".tab:not(#tab-{tab})")
        .set_attribute(("aria-selected", "false"), to=f".tab:not(#tab-{tab})")
        .add_class("active")
        .set_attribute(("aria-selected", "true"))
    )


TABS = [
    ("about", "About", "JS commands run in the browser, from attributes the server rendered."),
    ("chain", "Chains", "Each call returns a new JS: JS.push('save').hide(to='#modal')."),
    ("patch", "Patches", "What a command changed stays when the server patches the page."),
]


class JSCommands(LiveView):
    template = """
    <style>
      .fade-in { transition: opacity 0.2s ease-out; } .fade-out { transition: opacity 0.15s; }
      .opacity-0 { opacity: 0; } .opacity-100 { opacity: 1; }
      .modal { position: fixed; inset: 0; background: rgb(0 0 0 / 0.4); }
      .dialog { background: white; max-width: 24rem; margin: 20vh auto; padding: 1rem 1.5rem; }
      .dropdown { position: relative; display: inline-block; }
      #menu { position: absolute; margin: 0; padding: 0.25rem; list-style: none;
              background: white; border: 1px solid #ccc; }
      .tab.active { font-weight: bold; border-bottom: 2px solid currentColor; }
    </style>
    <h1>JS commands</h1>

    <h2>A modal</h2>
    <p>Drafts: <strong id="drafts">{{ drafts }}</strong></p>
    <button id="open-modal" phx-click="{{ open_modal }}">Delete a draft…</button>
    <div id="modal" class="modal" style="display: none">
      <div id="modal-dialog" class="dialog" role="dialog" aria-modal="true"
           aria-labelledby="modal-title" phx-click-away="{{ close_modal }}"
           phx-window-keydown="{{ close_modal }}" phx-key="Escape">
        <h3 id="modal-title">Delete a draft?</h3>
        <button id="modal-cancel" phx-click="{{ close_modal }}">Cancel</button>
        <button id="modal-confirm" phx-click="{{ JS.push('delete') + close_modal }}">Delete</button>
      </div>
    </div>

    <h2>A dropdown</h2>
    <div id="dropdown" class="dropdown" phx-click-away="{{ close_menu }}">
      <button id="menu-button" aria-haspopup="true" aria-expanded="false"
              phx-click="{{ toggle_menu }}">Options ▾</button>
      <ul id="menu" role="menu" style="display: none">
        {% for choice in ["Rename", "Duplicate", "Archive"] %}
        <li><button id="menu-{{ choice | lower }}" role="menuitem"
                    phx-click="{{ JS.push('pick', value={'choice': choice}) + close_menu }}">
          {{ choice }}</button></li>
        {% endfor %}
      </ul>
    </div>
    <p>Last choice: <strong id="choice">{{ choice }}</strong></p>

    <h2>Tabs</h2>
    <div role="tablist">
      {% for tab in tabs %}
      <button id="tab-{{ tab.id }}" role="tab" class="tab{{ ' active' if loop.first }}"
              aria-selected="{{ 'true' if loop.first else 'false' }}"
              phx-click="{{ tab.select }}">{{ tab.title }}</button>
      {% endfor %}
    </div>
    {% for tab in tabs %}
    <section id="panel-{{ tab.id }}" class="tab-panel" role="tabpanel"
             {% if not loop.first %}style="display: none"{% endif %}>
      <p>{{ tab.text }}</p>
    </section>
    {% endfor %}
    """

    async def mount(
        self, socket: LiveViewSocket, session: dict[str, Any], params: dict[str, Any]
    ) -> None:
        socket.assign(
            drafts=3,
            choice="none yet",
            open_modal=modal_open("modal"),
            close_modal=modal_close("modal"),
            toggle_menu=menu_toggle(),
            close_menu=menu_close(),
            tabs=[
                {"id": tab, "title": title, "text": text, "select": tab_select(tab)}
                for tab, title, text in TABS
            ],
        )
        socket.page_title = "JS commands"

    async def handle_event(
        self, event: str, payload: dict[str, Any], socket: LiveViewSocket
    ) -> None:
        if event == "delete":
            socket.assign(drafts=max(0, socket.assigns.drafts - 1))
        elif event == "pick":
            socket.assign(choice=payload["choice"])
        else:
            await super().handle_event(event, payload, socket)


EXAMPLES = [
    Example(
        "/js",
        JSCommands,
        title="JS commands",
        description="A modal, a dropdown and tabs run by JS commands in the browser.",
        hint="Open the modal and the menu, switch tabs: none of it waits for the server.",
        section="Components and JS",
    ),
]
