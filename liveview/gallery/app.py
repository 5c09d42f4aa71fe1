"""The gallery app: every example under one server, with an index of cards.

`liveview gallery` serves it (from a checkout: `scripts/gallery`); then open
http://127.0.0.1:8000. Each example declares its entry next to its code (`EXAMPLES`, see
`example.py`); this module finds them, frames their pages (`frame.py`: the hint and the source
beside the example) and mounts the examples that are apps of their own.
"""

import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from starlette.routing import BaseRoute, Mount

import liveview.gallery
from liveview import LiveViewApp
from liveview.gallery.accounts import make_app as make_accounts_app
from liveview.gallery.example import collect
from liveview.gallery.frame import LAYOUT, frame
from liveview.gallery.index import index_view
from liveview.pubsub import from_url

EXAMPLES = collect(liveview.gallery)
"""Every example, in the index's order."""
frame(EXAMPLES)

# The form helpers' classes, styled (forms.css beside this file); any stylesheet works.
FORMS_CSS = (Path(__file__).parent / "forms.css").read_text(encoding="utf-8")

# What several entries of one module share (photos' routes and script) is added once.
HEAD = f"<style>{FORMS_CSS}</style>" + "".join(dict.fromkeys(e.head for e in EXAMPLES))
ROUTES: list[BaseRoute] = list({id(r): r for e in EXAMPLES for r in e.routes}.values())


@asynccontextmanager
async def lifespans(app: LiveViewApp) -> AsyncIterator[None]:
    """Every example's lifespan (a background publisher), while the gallery serves."""
    async with AsyncExitStack() as stack:
        for lifespan in dict.fromkeys(e.lifespan for e in EXAMPLES if e.lifespan is not None):
            await stack.enter_async_context(lifespan(app))
        yield


app = LiveViewApp(
    routes={"/": index_view(EXAMPLES), **{e.route: e.view for e in EXAMPLES if e.view}},
    title="liveview gallery",
    layout=LAYOUT,
    head=HEAD,
    extra_routes=[
        *ROUTES,
        Mount(
            "/accounts",
            app=make_accounts_app(
                "/accounts", pubsub=from_url(os.environ.get("LIVEVIEW_PUBSUB_URL")), layout=LAYOUT
            ),
        ),
    ],
    lifespan=lifespans,
    # Unset: one process (SingleProcessPubSub); redis://...: every process sharing that Redis.
    pubsub=from_url(os.environ.get("LIVEVIEW_PUBSUB_URL")),
)
