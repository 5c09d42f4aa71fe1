"""Pages for the live-navigation e2e test: two plain routes and a live session of two pages,
each page with links to all of them as Phoenix's `<.link navigate=...>` renders them."""

from __future__ import annotations

from liveview import LiveSession, LiveView, LiveViewApp

LINKS = "".join(
    f'<a id="to-{name}" href="{path}" data-phx-link="redirect" data-phx-link-state="push">'
    f"{name}</a> "
    for name, path in (
        ("home", "/"),
        ("about", "/about"),
        ("admin", "/admin"),
        ("users", "/admin/users"),
    )
)


def page(name: str) -> type[LiveView]:
    class Page(LiveView):
        template = f'<h1 id="title">{name}</h1><nav>{LINKS}</nav>'

    Page.__name__ = Page.__qualname__ = name.title()
    return Page


app = LiveViewApp(
    routes={"/": page("home"), "/about": page("about")},
    live_sessions=[LiveSession("admin", {"/admin": page("admin"), "/admin/users": page("users")})],
    secret="e2e-secret",
)
