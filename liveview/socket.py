"""The socket handed to every LiveView callback: assigns, subscriptions, timers and pushes.

A callback changes the socket; the socket keeps a record of what changed (assigns, pushed
events, the title, a navigation) and the channel takes that record as one `Effects` value after
the callback returns (`take_effects`), turning it into one reply or push. Nothing outside this
module reads the socket's private fields. In the dead render (`connected` is False)
subscriptions and timers do nothing, so `mount` can set them up unconditionally.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from liveview.asyncs import (
    ASSIGN,
    START,
    AsyncCancelled,
    AsyncDone,
    AsyncFunction,
    AsyncResult,
    AsyncTasks,
    check_function,
    keys_of,
    loading,
    settle,
)
from liveview.js import JS
from liveview.streams import DomId, StreamState, fresh_default
from liveview.template.streams import NAME as STREAMS
from liveview.uploads import UploadConfig, UploadEntry, Uploads
from liveview.uploads.config import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_CHUNK_TIMEOUT,
    DEFAULT_MAX_ENTRIES,
    DEFAULT_MAX_FILE_SIZE,
    ExternalCallback,
    ProgressCallback,
)
from liveview.uploads.state import Consumer

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable

    from liveview.presence import Presence
    from liveview.pubsub import PubSub
    from liveview.pubsub.hub import Sized
    from liveview.view import LiveComponent

_T = TypeVar("_T")

COMPARED_BY_VALUE = (str, int, float, bool, bytes, type(None), JS)
"""What `assign` compares with the value it replaces (immutable; a subclass too): an equal one
is not a change. Anything else always counts as changed (it may have changed in place)."""

NO_FLASH: Mapping[str, str] = MappingProxyType({})
"""The `flash` assign of a LiveView that has none (shared; `put_flash` makes a new one)."""


class _MappingMethod:
    """`keys`, `values`, `items`, `get` on `Assigns`: the assign of that name when there is one
    (`assigns.items` is the assign `items`), else the mapping method."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name
        self._method = getattr(Mapping, name)

    def __get__(self, assigns: Assigns | None, owner: type) -> Any:
        if assigns is None:
            return self._method
        data = assigns._data
        if self._name in data:
            return data[self._name]
        return self._method.__get__(assigns, owner)


class Assigns(Mapping[str, Any]):
    """Read-only view of a socket's assigns with attribute access (`assigns.count`).

    An assign wins over a mapping method of the same name: with an assign `items`,
    `assigns.items` is that assign (use `assigns["items"]` or `Mapping.items(assigns)` for the
    method's job)."""

    __slots__ = ("_data",)

    keys = _MappingMethod()
    values = _MappingMethod()
    items = _MappingMethod()
    get = _MappingMethod()

    def __init__(self, data: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"assigns are read-only: use socket.assign({name}=...) to change {name!r} "
            "(and re-render what shows it)"
        )

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            names = ", ".join(sorted(self._data)) or "none"
            raise AttributeError(f"no assign named {name!r} (assigns: {names})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Assigns({self._data!r})"


class InfoSink(Protocol):
    """Where the socket drops infos for its LiveView's `handle_info` (the channel's mailbox)."""

    def deliver(self, info: Any) -> None:
        """A timer's or `send_info`'s info."""

    def deliver_sized(self, published: Sized) -> None:
        """A pub/sub message, with its size (a handler marked `with_size`)."""


PushedEvent = tuple[str, dict[str, Any]]
"""An event for the browser: its name and payload (`[name, payload]` on the wire)."""


@dataclass(frozen=True)
class Navigation:
    """A navigation a callback asked for; the channel acts on it after the callback."""

    kind: Literal["redirect", "navigate", "patch"]
    to: str
    replace: bool = False


@dataclass(slots=True)
class Effects:
    """What callbacks did since the channel last asked, taken in one piece (`take_effects`);
    read-only by convention (not frozen: that would cost on every delivery).

    Components, uploads and streams add their fields here as they come."""

    changed: dict[str, None]
    """Names assigned (a dict's keys, in assignment order): the slots that re-render."""
    events: tuple[PushedEvent, ...]
    """Events pushed with `push_event`, in order."""
    title: str | None
    """The new page title, if it changed (`""` when it was cleared); None when it did not."""
    navigation: Navigation | None
    """The last navigation asked for, if any."""

    def then(self, later: Effects) -> Effects:
        """These effects followed by `later` ones (a patch's `handle_params` after an event)."""
        return Effects(
            {**self.changed, **later.changed},
            self.events + later.events,
            later.title if later.title is not None else self.title,
            later.navigation,
        )


class Timer:
    """A pending `send_info(after=...)` or `send_interval`; dies with the LiveView."""

    def __init__(self, socket: LiveViewSocket, info: Any, delay: float, repeat: bool) -> None:
        self._socket = socket
        self._info = info
        self._delay = delay
        self._repeat = repeat
        self._handle: asyncio.TimerHandle | None = None
        self._schedule()

    def _schedule(self) -> None:
        loop = asyncio.get_running_loop()
        self._handle = loop.call_later(self._delay, self._fire)

    def _fire(self) -> None:
        mailbox = self._socket._mailbox
        if mailbox is None:
            return
        mailbox.deliver(self._info)
        if self._repeat:
            self._schedule()
        else:
            self._socket._timers.pop(self, None)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._socket._timers.pop(self, None)


class _AssignsHolder:
    """Assigns and their change record: what a LiveView's and a component's socket share."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self.assigns = Assigns(self._data)
        # dicts used as sets: an empty dict is a third of an empty set, times every LiveView
        self._changed: dict[str, None] = {}
        self._streams: StreamState | None = None

    _stream_refs = ""
    """What each stream's wire ref starts with (a live component's: its cid and a dash)."""

    def assign(self, **values: Any) -> None:
        """Set assigns; only those that really changed are re-rendered."""
        data = self._data
        for key, value in values.items():
            if (
                isinstance(value, COMPARED_BY_VALUE)
                and key in data
                and type(data[key]) is type(value)
                and data[key] == value
            ):
                continue  # unchanged; mutable values always count as changed
            data[key] = value
            self._changed[key] = None

    @property
    def render_input(self) -> dict[str, Any]:
        """The assigns as the plain dict templates read (never to be changed by the reader)."""
        return self._data

    # streams (liveview.streams) ---------------------------------------------------------------

    def stream(
        self,
        name: str,
        items: Iterable[Any],
        *,
        at: int = -1,
        limit: int | None = None,
        reset: bool = False,
        dom_id: DomId | None = None,
    ) -> None:
        """Insert `items` into the stream `name` (made on first use), for the template's
        `{% for dom_id, item in streams.<name> %}`. Sent with the next render, then forgotten.
        `at`: -1 appends, 0 prepends, n inserts at index n; `limit`: keep the first n (n > 0)
        or last -n (n < 0) rows in the browser; `reset`: remove every row first; `dom_id`:
        how an item's DOM id is made (default `"<name>-<item id>"`)."""
        self._stream_state().insert_many(
            name,
            items,
            at=at,
            limit=limit,
            update_only=False,
            reset=reset,
            dom_id=dom_id,
            create=True,
        )
        self._changed[STREAMS] = None

    def stream_insert(
        self,
        name: str,
        item: Any,
        *,
        at: int = -1,
        limit: int | None = None,
        update_only: bool = False,
    ) -> None:
        """Insert `item` into the stream `name`, or update the row of its DOM id where it is
        (`update_only`: only update, never add)."""
        self._stream_state().insert_many(
            name,
            (item,),
            at=at,
            limit=limit,
            update_only=update_only,
            reset=False,
            dom_id=None,
            create=False,
        )
        self._changed[STREAMS] = None

    def stream_delete(self, name: str, item: Any) -> None:
        """Remove `item`'s row (by its DOM id) from the stream `name` in the browser."""
        self._stream_state().delete_item(name, item)
        self._changed[STREAMS] = None

    def stream_delete_by_dom_id(self, name: str, dom_id: str) -> None:
        """Remove the row with this DOM id from the stream `name` in the browser."""
        self._stream_state().delete(name, dom_id)
        self._changed[STREAMS] = None

    def _stream_state(self) -> StreamState:
        state = self._streams
        if state is None:
            state = self._streams = StreamState(self._stream_refs)
            self._data[STREAMS] = state.streams
        return state

    @property
    def forgets(self) -> bool:
        """Whether a render leaves something to forget (stream rows, temporary assigns): most
        LiveViews have neither, and their renders skip `rendered`."""
        return self._streams is not None

    def rendered(self) -> list[str]:
        """For the framework, after each render is made: forget the stream rows it carries.
        Returns the streams whose operations no loop of the template took."""
        state = self._streams
        return [] if state is None else state.rendered()

    # async work (liveview.asyncs) -----------------------------------------------------------

    def _async_place(self) -> tuple[AsyncTasks | None, int | None]:
        """The tasks of this LiveView (None in the dead render) and this socket's place among
        their owners (None: the LiveView; a cid: a live component)."""
        raise NotImplementedError

    def assign_async(
        self,
        keys: str | Iterable[str],
        fn: AsyncFunction,
        *args: Any,
        reset: bool | Iterable[str] = False,
    ) -> None:
        """Assign each of `keys` an `AsyncResult` that is loading, and run `fn(*args)` in a
        task (an `async def` function; any other runs in a worker thread: `liveview.asyncs`).
        It returns a dict with exactly those keys, whose values become the results (`ok`);
        an exception it raises becomes each one's `failed`. A value from before stays in
        `result` while it reloads, unless `reset` (True, or the keys to reset). Only in the
        connected mount: in the dead render the assigns stay loading and nothing runs. A
        second `assign_async` of the same keys replaces the first (cancelled)."""
        names = keys_of(keys)
        check_function(fn, "assign_async")
        self.assign(**loading(self._data, names, reset))
        tasks, owner = self._async_place()
        if tasks is not None:
            tasks.start((owner, ASSIGN, names), fn, args)

    def start_async(self, name: Hashable, fn: AsyncFunction, *args: Any) -> None:
        """Run `fn(*args)` in a task; its outcome (an `AsyncResult`: `ok` and `result`, or
        `failed`) goes to `handle_async(name, result, socket)` of this LiveView or live component. A
        task already running under `name` is cancelled: the later one wins. Does nothing in
        the dead render."""
        hash(name)  # a name is a dict key: a clear TypeError now, not in the task
        check_function(fn, "start_async")
        tasks, owner = self._async_place()
        if tasks is not None:
            tasks.start((owner, START, name), fn, args)

    def cancel_async(self, name_or_result: Hashable | AsyncResult, reason: Any = None) -> None:
        """Stop a task: `start_async`'s `name` (`handle_async` then gets a result failed with
        `AsyncCancelled(reason)`), or the `assign_async` of an assign (its name, or its
        `AsyncResult`: it fails with `AsyncCancelled(reason)` at once). Nothing if none runs."""
        tasks, owner = self._async_place()
        if isinstance(name_or_result, AsyncResult):
            keys = name_or_result.loading
            if not isinstance(keys, tuple):
                return  # not loading, or not by assign_async: nothing to cancel
            if tasks is not None:
                tasks.cancel((owner, ASSIGN, keys), reason, deliver=False)
            self._fail_async(keys, reason)
            return
        key = None if tasks is None else tasks.find(owner, name_or_result)
        if tasks is None or key is None:
            return
        if key[1] == ASSIGN:
            tasks.cancel(key, reason, deliver=False)
            self._fail_async(key[2], reason)  # type: ignore[arg-type]
        else:
            tasks.cancel(key, reason, deliver=True)

    def _fail_async(self, keys: tuple[str, ...], reason: Any) -> None:
        self.assign(**settle(self._data, keys, AsyncResult().fail(AsyncCancelled(reason))))

    def settle_async(self, done: AsyncDone) -> None:
        """For the framework: assign what an `assign_async` task's outcome makes."""
        self.assign(**settle(self._data, done.name, done.outcome))


class LiveViewSocket(_AssignsHolder):
    """One LiveView's state and its link to the browser and to pub/sub."""

    def __init__(
        self,
        *,
        view_id: str,
        pubsub: PubSub,
        connected: bool,
        mailbox: InfoSink | None = None,
        connect_params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self._data["flash"] = NO_FLASH  # always assigned: templates can read `flash` at once
        self.id = view_id
        self.pubsub = pubsub
        self.connected = connected
        self.connect_params = connect_params
        """What the browser's `LiveSocket` sent as `params` with the join (connected mounts
        only; None in the dead render): `_mounts` (0 on the first join), `_csrf_token`, the
        page script's `timezone` and `locale`, and whatever `window.LiveViewParams` adds."""
        self._mailbox = mailbox
        self._events: list[PushedEvent] = []
        self._title: str | None = None
        self._title_changed = False
        self._navigation: Navigation | None = None
        self._subscriptions: dict[str, str] = {}
        self._timers: dict[Timer, None] = {}
        self._temporary: dict[str, Any] = {}
        self._presence_owner: str | None = None  # set by the first `track`
        self._uploads: Uploads | None = None
        self._asyncs: AsyncTasks | None = None  # made by the first task

    @property
    def page_title(self) -> str | None:
        """The page's `<title>`; setting it updates the browser's after this callback."""
        return self._title

    @page_title.setter
    def page_title(self, title: str | None) -> None:
        if title != self._title:
            self._title = title
            self._title_changed = True

    def push_event(self, name: str, payload: Mapping[str, Any] | None = None) -> None:
        """Dispatch `phx:<name>` in the browser (and to hooks' handleEvent) after the next patch."""
        self._events.append((name, dict(payload or {})))

    @property
    def flash(self) -> Mapping[str, str]:
        """The flash messages set (kind -> message)."""
        flash = self._data.get("flash")
        return flash if isinstance(flash, Mapping) else NO_FLASH

    def put_flash(self, kind: str, message: str) -> None:
        """Set a flash message, rendered from the `flash` assign; it goes along with a
        `push_navigate` or a `redirect` to the next page, shown there once."""
        flash = dict(self._data.get("flash") or {})
        flash[kind] = message
        self.assign(flash=flash)

    def clear_flash(self, kind: str | None = None) -> None:
        """Remove the flash message of `kind`, or every one."""
        flash = dict(self._data.get("flash") or {})
        if kind is None:
            flash.clear()
        else:
            flash.pop(kind, None)
        self.assign(flash=flash)

    # navigation ----------------------------------------------------------------------------

    def push_patch(self, to: str, *, replace: bool = False) -> None:
        """Change the URL of this LiveView without remounting; `handle_params` runs again."""
        self._navigation = Navigation("patch", to, replace)

    def push_navigate(self, to: str, *, replace: bool = False) -> None:
        """Navigate to another LiveView over the same websocket."""
        self._navigation = Navigation("navigate", to, replace)

    def redirect(self, to: str) -> None:
        """Leave the LiveView with a full page load of `to`."""
        self._navigation = Navigation("redirect", to)

    def set_temporary(self, defaults: Mapping[str, Any]) -> None:
        """For the framework: the LiveView's `temporary_assigns`, assigned now unless already
        set, and put back after every render."""
        self._temporary = dict(defaults)
        for key, value in defaults.items():
            self._data.setdefault(key, fresh_default(value))

    @property
    def forgets(self) -> bool:
        return self._streams is not None or bool(self._temporary)

    def rendered(self) -> list[str]:
        """For the framework, after each render is made: forget the stream rows it carries
        and put temporary assigns back to their defaults (without marking them changed).
        Returns the streams whose operations no loop of the template took."""
        data = self._data
        for key, value in self._temporary.items():
            data[key] = fresh_default(value)
        return super().rendered()

    # pub/sub and timers --------------------------------------------------------------------

    async def subscribe(self, topic: str) -> None:
        """Receive what is published on `topic` in `handle_info`.

        Idempotent; does nothing in the dead render (not connected)."""
        if not self.connected or self._mailbox is None or topic in self._subscriptions:
            return
        self._subscriptions[topic] = await self.pubsub.subscribe(topic, self._mailbox.deliver_sized)

    async def unsubscribe(self, topic: str) -> None:
        """Stop receiving `topic`; does nothing if not subscribed."""
        subscription = self._subscriptions.pop(topic, None)
        if subscription is not None:
            await self.pubsub.unsubscribe(topic, subscription)

    async def broadcast_from(self, topic: str, message: Any) -> None:
        """Publish to `topic`, skipping this LiveView's own subscription (broadcast_from)."""
        await self.pubsub.publish(topic, message, exclude=self._subscriptions.get(topic))

    def send_info(self, info: Any, *, after: float | None = None) -> Timer | None:
        """Queue `info` for this LiveView's `handle_info`, now or `after` seconds from now."""
        if self._mailbox is None:
            return None
        if after is None:
            self._mailbox.deliver(info)
            return None
        timer = Timer(self, info, after, repeat=False)
        self._timers[timer] = None
        return timer

    def send_interval(self, info: Any, *, every: float) -> Timer | None:
        """Queue `info` every `every` seconds until cancelled or the LiveView ends."""
        if self._mailbox is None:
            return None
        timer = Timer(self, info, every, repeat=True)
        self._timers[timer] = None
        return timer

    def send_update(self, component: type[LiveComponent], id: Any, **assigns: Any) -> None:
        """Update the live component `component` with this `id` on this page: its `update`
        runs with `assigns` (after the current callback), and it re-renders if they changed it.
        Nothing happens if the page has no such component (it may have just been removed)."""
        if self._mailbox is not None:
            self._mailbox.deliver(ComponentUpdate(component, id, assigns))

    # presence --------------------------------------------------------------------------------

    @property
    def presence(self) -> Presence:
        """The app's presence: `await socket.presence.list(topic)`."""
        from liveview.presence import presence_of

        return presence_of(self.pubsub)

    async def track(self, topic: str, key: str, meta: Mapping[str, Any]) -> str | None:
        """Show `key` as present on `topic` (with `meta`, a JSON object) until `untrack` or
        until this LiveView ends; return its `phx_ref`. Nothing in the dead render."""
        if not self.connected or self._mailbox is None:
            return None
        if self._presence_owner is None:
            from liveview.pubsub.ids import unique_id

            self._presence_owner = unique_id()
        return await self.presence.track(topic, key, meta, owner=self._presence_owner)

    async def untrack(self, topic: str, key: str) -> None:
        """Stop showing `key` on `topic`; does nothing if this LiveView does not track it."""
        if self._presence_owner is not None:
            await self.presence.untrack(topic, key, owner=self._presence_owner)

    async def update_presence(self, topic: str, key: str, meta: Mapping[str, Any]) -> str | None:
        """Replace the meta of a presence this LiveView tracks (a new `phx_ref`)."""
        if self._presence_owner is None:
            return None
        return await self.presence.update(topic, key, meta, owner=self._presence_owner)

    # uploads ---------------------------------------------------------------------------------

    @property
    def uploads(self) -> Uploads:
        """The allowed uploads by name (the `uploads` assign templates read)."""
        if self._uploads is None:
            self._uploads = Uploads()
        return self._uploads

    def allow_upload(
        self,
        name: str,
        *,
        accept: list[str] | tuple[str, ...] | Literal["any"],
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        chunk_timeout: int = DEFAULT_CHUNK_TIMEOUT,
        auto_upload: bool = False,
        progress: ProgressCallback | None = None,
        external: ExternalCallback | None = None,
    ) -> UploadConfig:
        """Allow uploads called `name` (`uploads.<name>` in templates, with
        `live_file_input(uploads.<name>)`). Sizes in bytes, `chunk_timeout` in milliseconds (as
        Phoenix); `progress(name, entry, socket)` runs on each progress update; `external(entry,
        socket)` returns `{"uploader": ..., ...}` for uploads the browser sends elsewhere."""
        config = UploadConfig(
            name=name,
            accept="any" if accept == "any" else tuple(accept),
            max_entries=max_entries,
            max_file_size=max_file_size,
            chunk_size=chunk_size,
            chunk_timeout=chunk_timeout,
            auto_upload=auto_upload,
            progress=progress,
            external=external,
        )
        self.uploads.allow(config)
        self.touch_uploads()
        return config

    def disallow_upload(self, name: str) -> None:
        """Remove the upload `name` (an error while entries are still uploading)."""
        self.uploads.disallow(name)
        self.touch_uploads()

    def cancel_upload(self, name: str, ref: str) -> None:
        """Drop the entry `ref` of upload `name`: its transfer stops, its file is deleted."""
        self.uploads.cancel(name, ref)
        self.touch_uploads()

    def uploaded_entries(self, name: str) -> tuple[list[UploadEntry], list[UploadEntry]]:
        """`(done, in_progress)` entries of the upload `name`."""
        return self.uploads.uploaded_entries(name)

    async def consume_uploaded_entries(self, name: str, fn: Consumer[_T]) -> list[_T]:
        """Call `fn(path, entry)` (sync or async) for each done entry of `name` and return
        what it returned; each entry is then removed and its temporary file deleted, so copy
        or move the file inside `fn`. Entries still uploading stay."""
        results = await self.uploads.consume(name, fn)
        self.touch_uploads()
        return results

    async def consume_uploaded_entry(self, entry: UploadEntry, fn: Consumer[_T]) -> _T:
        """`consume_uploaded_entries` for one done entry."""
        result = await self.uploads.consume_entry(entry, fn)
        self.touch_uploads()
        return result

    def touch_uploads(self) -> None:
        """For the framework: the uploads changed, re-render what shows them."""
        self.assign(uploads=self.uploads)

    @property
    def subscriptions(self) -> frozenset[str]:
        """The topics this LiveView receives."""
        return frozenset(self._subscriptions)

    # for the framework -----------------------------------------------------------------------

    def _async_place(self) -> tuple[AsyncTasks | None, int | None]:
        if self._asyncs is None and self.connected and self._mailbox is not None:
            self._asyncs = AsyncTasks(self._mailbox)
        return self._asyncs, None

    def take_async(self, done: AsyncDone) -> bool:
        """Whether a task's outcome is still wanted (its task was not replaced or cancelled
        since): then its owner handles it."""
        return self._asyncs is not None and self._asyncs.take(done)

    def end_asyncs(self, cid: int | None = None) -> None:
        """Cancel the tasks of the live component `cid`, or of every live component (None)."""
        if self._asyncs is not None:
            if cid is None:
                self._asyncs.end_components()
            else:
                self._asyncs.end(cid)

    @property
    def navigating(self) -> bool:
        """Whether a callback asked for a navigation not yet taken (`take_effects`)."""
        return self._navigation is not None

    def take_effects(self) -> Effects:
        """What callbacks did since the last call, and a clean record for the next ones."""
        changed, self._changed = self._changed, {}
        events: tuple[PushedEvent, ...] = ()
        if self._events:
            events = tuple(self._events)
            self._events.clear()
        title = None
        if self._title_changed:
            self._title_changed = False
            title = self._title or ""
        navigation, self._navigation = self._navigation, None
        return Effects(changed, events, title, navigation)

    async def end(self) -> None:
        """End every task, timer and subscription of this LiveView (it has ended)."""
        self._mailbox = None
        if self._uploads is not None:  # temporary files go with the LiveView
            self._uploads.close()
        if self._asyncs is not None:
            self._asyncs.end_all()
            self._asyncs = None  # and no new ones: without a mailbox none is made
        for timer in list(self._timers):
            timer.cancel()
        subscriptions, self._subscriptions = self._subscriptions, {}
        for topic, subscription in subscriptions.items():
            await self.pubsub.unsubscribe(topic, subscription)
        if self._presence_owner is not None:
            await self.presence.untrack_owner(self._presence_owner)


class ComponentUpdate:
    """A `send_update` on its way to the LiveView's mailbox."""

    __slots__ = ("assigns", "component", "id")

    def __init__(self, component: type[LiveComponent], id: Any, assigns: dict[str, Any]) -> None:
        self.component = component
        self.id = id
        self.assigns = assigns

    def __repr__(self) -> str:
        return f"ComponentUpdate({self.component.__qualname__}, id={self.id!r})"


class ComponentSocket(_AssignsHolder):
    """A live component's socket: its own assigns (`myself` among them, the component's cid,
    for `phx-target="{{ myself }}"`), and the page's socket for what reaches the browser.

    Events pushed, flash, navigation and the title belong to the page: they go to its socket.
    """

    def __init__(self, *, cid: int, id: Any, page: LiveViewSocket) -> None:
        super().__init__()
        self.cid = cid
        self.id = id
        self.page = page
        self._data["myself"] = cid
        self._stream_refs = f"{cid}-"

    @property
    def myself(self) -> int:
        """This component's cid: `phx-target="{{ myself }}"` sends an event to it."""
        return self.cid

    @property
    def connected(self) -> bool:
        return self.page.connected

    def _async_place(self) -> tuple[AsyncTasks | None, int | None]:
        return self.page._async_place()[0], self.cid

    @property
    def pubsub(self) -> PubSub:
        return self.page.pubsub

    def push_event(self, name: str, payload: Mapping[str, Any] | None = None) -> None:
        """`push_event` of the page."""
        self.page.push_event(name, payload)

    def put_flash(self, kind: str, message: str) -> None:
        """Set a flash message of the page."""
        self.page.put_flash(kind, message)

    def clear_flash(self, kind: str | None = None) -> None:
        self.page.clear_flash(kind)

    def push_patch(self, to: str, *, replace: bool = False) -> None:
        self.page.push_patch(to, replace=replace)

    def push_navigate(self, to: str, *, replace: bool = False) -> None:
        self.page.push_navigate(to, replace=replace)

    def redirect(self, to: str) -> None:
        self.page.redirect(to)

    def send_update(self, component: type[LiveComponent], id: Any, **assigns: Any) -> None:
        """Update another live component of the page (see `LiveViewSocket.send_update`)."""
        self.page.send_update(component, id, **assigns)

    def send_parent(self, info: Any) -> None:
        """Hand `info` to the page's LiveView, to its `handle_info` (after this callback)."""
        self.page.send_info(info)

    def keep(self, key: str, value: Any) -> None:
        """For the framework: hold ``value`` as ``key`` without marking it changed (it renders
        as the one it replaces)."""
        self._data[key] = value

    def take_changed(self) -> dict[str, None]:
        """The assigns changed since the last call (for the framework: what re-renders)."""
        changed, self._changed = self._changed, {}
        return changed

    @property
    def has_changes(self) -> bool:
        return bool(self._changed)
