"""What a websocket connection needs from the app: tokens, pub/sub, and URL routing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from liveview.on_mount import OnMount

if TYPE_CHECKING:
    from liveview.channel.live_sockets import LiveSockets
    from liveview.pubsub import PubSub
    from liveview.session import TokenSigner
    from liveview.view import LiveView


class RouteMatch(NamedTuple):
    """The LiveView a URL (or an embedded name) resolves to."""

    route: str
    """The identity the session token is bound to: the route's path pattern, or the name of
    an embedded LiveView."""
    view: type[LiveView]
    path_params: dict[str, Any]
    embedded: bool = False
    """An embedded LiveView (`live_render`), not a route: it takes no URL params."""
    live_session: str | None = None
    """The `LiveSession` the route is in, if any."""
    on_mount: tuple[OnMount, ...] = ()
    """The hooks run before its `mount`: the app's, then its live session's."""


@dataclass
class ChannelConfig:
    signer: TokenSigner
    pubsub: PubSub
    resolve: Callable[[str], RouteMatch | None]
    """Maps a URL path (relative to the app's mount point) to a LiveView route, or None."""
    embedded: Mapping[str, type[LiveView]] = field(default_factory=dict)
    """LiveViews the layout embeds by name (`live_render`)."""
    on_mount: tuple[OnMount, ...] = ()
    """The app's `on_mount` hooks (for embedded LiveViews; a route's are in its match)."""
    live_sockets: LiveSockets | None = None
    """Live views by live-socket id, and logouts (`LiveViewApp.disconnect`)."""
    debug: bool = False
    """Tell the browser what crashed and where (`liveview.crashes`); off: only that it did."""
    mailbox_size: int = 10_000
    """Messages a LiveView may have waiting; beyond that it sheds its infos for a notice
    (`MessagesDropped`), or is failed if client messages fill it."""
    mailbox_frame_bytes: int = 16 * 1024 * 1024
    """Bytes of client messages a LiveView may have waiting (a client sending large events
    faster than its LiveView handles them); beyond that it is failed rather than let grow."""
    mailbox_info_bytes: int = 16 * 1024 * 1024
    """Bytes of pub/sub messages a LiveView may have waiting (each counted at its size on the
    wire, or as JSON for a local publish); beyond that it sheds its infos for a notice
    (`MessagesDropped`), as past `mailbox_size`."""
