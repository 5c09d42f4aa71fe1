"""What a websocket connection needs from the app: tokens, pub/sub, and URL routing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from liveview.channel.idle import IdleSweeper

if TYPE_CHECKING:
    from liveview.pubsub import PubSub
    from liveview.session import TokenSigner
    from liveview.view import LiveView

LIVEVIEW_VERSION = "1.2.12"
"""The client version our join replies announce (the client warns when it differs)."""


class RouteMatch(NamedTuple):
    route: str
    """The route's path pattern: the identity the session token is bound to."""
    view: type[LiveView]
    path_params: dict[str, Any]


@dataclass
class ChannelConfig:
    signer: TokenSigner
    pubsub: PubSub
    resolve: Callable[[str], RouteMatch | None]
    """Maps a URL path (relative to the app's mount point) to a LiveView route, or None."""
    embedded: Mapping[str, type[LiveView]] = field(default_factory=dict)
    """LiveViews the layout embeds by name (`live_render`); their tokens name `embed:<name>`."""
    mailbox_size: int = 10_000
    """Messages a LiveView may have waiting; beyond that it is failed rather than let grow."""
    idle: IdleSweeper = field(default_factory=lambda: IdleSweeper(IDLE_TIMEOUT))
    """Closes websockets silent for `idle.timeout` seconds (None: never)."""


IDLE_TIMEOUT = 60.0
"""Phoenix's websocket timeout: twice the official client's 30 s heartbeat interval."""
