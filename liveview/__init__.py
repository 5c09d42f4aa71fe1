"""LiveView for Python: server-rendered, real-time, multi-player pages driven by the official
Phoenix LiveView client."""

from liveview import pubsub
from liveview.app import LiveViewApp
from liveview.pubsub import *  # noqa: F403  (its `__all__`, the one list of the pub/sub names)
from liveview.socket import Assigns, LiveViewSocket, Timer
from liveview.template import Template
from liveview.template.errors import TemplateSyntaxError
from liveview.view import LiveView, UnknownEvent

__all__ = [
    "Assigns",
    "LiveView",
    "LiveViewApp",
    "LiveViewSocket",
    "Template",
    "TemplateSyntaxError",
    "Timer",
    "UnknownEvent",
]
__all__ += pubsub.__all__
