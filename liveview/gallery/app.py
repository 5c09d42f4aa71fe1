"""The gallery app: every example under one server, with an index page.

Run it with `scripts/gallery` (or `liveview gallery`), then open http://127.0.0.1:8000.
"""

import os
from pathlib import Path

from markupsafe import escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route

from liveview import LiveViewApp
from liveview.gallery.accounts import make_app as make_accounts_app
from liveview.gallery.async_fetch import AsyncFetch
from liveview.gallery.chat import Chat
from liveview.gallery.control import Control, Display
from liveview.gallery.counter import Counter
from liveview.gallery.cursors import HOOK as CURSORS_HOOK
from liveview.gallery.cursors import Cursors
from liveview.gallery.dashboard import Dashboard, metrics_publisher
from liveview.gallery.debounce import Debounce
from liveview.gallery.infinite_scroll import InfiniteScroll
from liveview.gallery.js import JSCommands
from liveview.gallery.kanban import Kanban
from liveview.gallery.pagination import Pagination
from liveview.gallery.photos import CSS as PHOTOS_CSS
from liveview.gallery.photos import ROUTES as PHOTOS_ROUTES
from liveview.gallery.photos import UPLOADERS_JS, DirectPhotos, Photos, QuickPhoto
from liveview.gallery.publishers import InProcessFeed, PostgresFeed, RedisFeed
from liveview.gallery.search import Search
from liveview.gallery.servers import Servers
from liveview.gallery.shared_counter import SharedCounter
from liveview.gallery.signup import ROUTES as SIGNUP_ROUTES
from liveview.gallery.signup import SignupView
from liveview.gallery.sorting import Sorting
from liveview.gallery.team import TeamForm
from liveview.gallery.volume import Volume
from liveview.gallery.volunteers import Volunteers
from liveview.pubsub import from_url

# The default layout with a way back to the index on every example page.
LAYOUT = """{% extends "liveview/layout.html" %}
{% block body %}<nav><a href="/">&larr; gallery</a></nav>
{{ super() }}{% endblock %}"""

EXAMPLES = [
    ("/counter", Counter, "Counter", "a count per tab: click events and assigns"),
    ("/signup", SignupView, "Sign up", "a pydantic form validated as you type, then signed in"),
    ("/volunteers", Volunteers, "Volunteers", "a validated form adding to a list every tab shares"),
    ("/team", TeamForm, "Team", "a nested form: an address, member rows added and removed"),
    ("/shared-counter", SharedCounter, "Shared counter", "one count for every open tab (pub/sub)"),
    ("/chat", Chat, "Chat", "chat rooms: messages broadcast to a topic, shown through a stream"),
    ("/dashboard", Dashboard, "Dashboard", "numbers pushed by a background publisher"),
    (
        "/customers",
        InfiniteScroll,
        "Infinite scroll",
        "100,000 rows, a page at a time as you scroll: a stream the server forgets",
    ),
    ("/cursors", Cursors, "Cursors", "a shared board with everyone's pointer (presence)"),
    ("/async", AsyncFetch, "Async fetch", "slow data loads after the page: assign_async"),
    ("/kanban", Kanban, "Kanban", "a multi-player board: each card a live component"),
    ("/photos", Photos, "Photos", "uploads with previews, progress and cancel; a shared wall"),
    ("/photos/quick", QuickPhoto, "Quick photo", "an upload that starts when a file is picked"),
    ("/photos/direct", DirectPhotos, "Direct photos", "the browser PUTs files to storage itself"),
    ("/js", JSCommands, "JS commands", "a modal, a dropdown and tabs run by JS commands"),
    ("/control", Control, "Lamp control", "drives every open display page"),
    ("/display", Display, "Lamp display", "another LiveView class on the control's topic"),
    ("/volume", Volume, "Volume", "the arrow keys and m anywhere on the page: window key events"),
    ("/search", Search, "Search", "suggestions as you type (debounced), the search in the URL"),
    ("/pagination", Pagination, "Pagination", "500 rows a page at a time, the page in the URL"),
    ("/sorting", Sorting, "Sorting", "click a heading to sort; back and forward undo it"),
    ("/servers", Servers, "Servers", "pick one by URL, add one with a form; every tab follows"),
    ("/debounce", Debounce, "Debounce and throttle", "what phx-debounce and -throttle hold back"),
    (
        "/pubsub/in-process",
        InProcessFeed,
        "In-process pub/sub",
        "a background task in the server publishes to every tab",
    ),
    ("/pubsub/redis", RedisFeed, "Redis pub/sub", "redis-cli PUBLISH reaches the page"),
    ("/pubsub/postgres", PostgresFeed, "PostgreSQL pub/sub", "psql's pg_notify reaches the page"),
]

MOUNTED = [
    (
        "/accounts/sign-in",
        "Accounts",
        "sign in through a form, on_mount hooks, live sessions; sign-out ends every tab",
    ),
]
"""Examples that are apps of their own, mounted under the gallery (their own session cookie)."""


async def index(request: Request) -> HTMLResponse:
    items = "".join(
        f'<li><a href="{path}">{escape(title)}</a> — {escape(about)}</li>'
        for path, title, about in [(p, t, a) for p, _, t, a in EXAMPLES] + MOUNTED
    )
    return HTMLResponse(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
        "<title>liveview gallery</title></head>"
        f"<body><h1>liveview gallery</h1><ul>{items}</ul></body></html>"
    )


# The form helpers' classes, styled (forms.css beside this file); any stylesheet works.
FORMS_CSS = (Path(__file__).parent / "forms.css").read_text(encoding="utf-8")

app = LiveViewApp(
    routes={path: view for path, view, _, _ in EXAMPLES},
    title="liveview gallery",
    layout=LAYOUT,
    head=f"<style>{FORMS_CSS}{PHOTOS_CSS}</style><script>{UPLOADERS_JS}</script>{CURSORS_HOOK}",
    extra_routes=[
        Route("/", index),
        *SIGNUP_ROUTES,
        *PHOTOS_ROUTES,
        Mount(
            "/accounts",
            app=make_accounts_app(
                "/accounts", pubsub=from_url(os.environ.get("LIVEVIEW_PUBSUB_URL"))
            ),
        ),
    ],
    lifespan=metrics_publisher,
    # Unset: one process (SingleProcessPubSub); redis://...: every process sharing that Redis.
    pubsub=from_url(os.environ.get("LIVEVIEW_PUBSUB_URL")),
)
