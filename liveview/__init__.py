"""LiveView for Python: server-rendered, real-time, multi-player pages driven by the official
Phoenix LiveView client.

The names listed here are the stable API; other modules are the framework's own, except
`liveview.testing` (the test client) and the backend-author modules of `liveview.pubsub`.

The errors an app meets, under the builtin each extends:

    Exception
    └── UnknownEvent          the default `handle_event`: the client gets an error reply
    jinja2.TemplateSyntaxError
    └── TemplateSyntaxError   a template that does not compile, with its name and line
    ConnectionError
    └── PubSubUnavailable     the broker did not take a message, or was not reached, in time
    ValueError
    └── MessageTooLarge       a message larger than the broker carries, refused at `publish`

`PubSubGap` is no exception but the notice a plain `pubsub.subscribe` handler receives after a
broker outage; a LiveView gets `handle_gap(topic, socket)` instead.
"""

from liveview import pubsub
from liveview import telemetry as telemetry  # the module: `liveview.telemetry.attach`
from liveview.app import LiveViewApp
from liveview.asyncs import AsyncCancelled, AsyncResult
from liveview.components import DuplicateComponent
from liveview.js import JS
from liveview.presence import Presence, sync_diff
from liveview.pubsub import *  # noqa: F403  (its `__all__`, the one list of the pub/sub names)
from liveview.routing import LiveSession
from liveview.socket import Assigns, ComponentSocket, LiveViewSocket, Timer
from liveview.template import Template
from liveview.template.components import NoSingleRoot
from liveview.template.errors import TemplateSyntaxError
from liveview.uploads import UploadConfig, UploadEntry
from liveview.view import LiveComponent, LiveView, MessagesDropped, UnknownEvent

__all__ = [
    "JS",
    "Assigns",
    "AsyncCancelled",
    "AsyncResult",
    "ComponentSocket",
    "DuplicateComponent",
    "LiveComponent",
    "LiveSession",
    "LiveView",
    "LiveViewApp",
    "LiveViewSocket",
    "MessagesDropped",
    "NoSingleRoot",
    "Presence",
    "Template",
    "TemplateSyntaxError",
    "Timer",
    "UnknownEvent",
    "UploadConfig",
    "UploadEntry",
    "sync_diff",
]
__all__ += pubsub.__all__
