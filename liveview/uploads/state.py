"""A LiveView's uploads: the `uploads` assign, and what happens to entries over their life.

`Uploads` maps each allowed upload's name to its `UploadConfig` (`uploads.photos` in a
template). An entry is added when the client selects a file (a form change), approved by the
preflight (`allow_upload`), filled over the `lvu:` channel (or by the client's own uploader,
for an external upload), and then consumed, cancelled, or dropped with its LiveView. Whichever
way it goes, `UploadEntry.release` closes its channel and deletes its temporary file.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

from liveview.uploads.config import CLIENT_FAILURE, UploadConfig
from liveview.uploads.entry import UploadEntry

T = TypeVar("T")

Consumer = Callable[[Any, UploadEntry], "Awaitable[T] | T"]
"""`fn(path, entry)`: `path` is the temporary file (a channel upload) or the `external`
callback's metadata (an external upload); the file is deleted once `fn` returns."""


class UploadInProgress(RuntimeError):
    """`disallow_upload` or `consume_uploaded_entry` on an entry that is not done."""


class Uploads(Mapping[str, UploadConfig]):
    """The uploads of one LiveView, by name (attribute access: `uploads.photos`)."""

    __slots__ = ("_by_name", "_by_ref")

    def __init__(self) -> None:
        self._by_name: dict[str, UploadConfig] = {}
        self._by_ref: dict[str, UploadConfig] = {}

    def __getitem__(self, name: str) -> UploadConfig:
        return self._by_name[name]

    def __getattr__(self, name: str) -> UploadConfig:
        try:
            return self._by_name[name]
        except KeyError:
            allowed = ", ".join(sorted(self._by_name)) or "none"
            raise AttributeError(
                f"no upload named {name!r} (allowed: {allowed}); call "
                f"socket.allow_upload({name!r}, accept=...) in mount"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"Uploads({list(self._by_name)!r})"

    # the socket's API ------------------------------------------------------------------------

    def allow(self, config: UploadConfig) -> UploadConfig:
        old = self._by_name.get(config.name)
        if old is not None:  # allowed again (new limits): its entries go
            self._drop(old)
        self._by_name[config.name] = config
        self._by_ref[config.ref] = config
        return config

    def disallow(self, name: str) -> None:
        config = self._named(name)
        if any(not entry.done for entry in config.entries if entry.preflighted):
            raise UploadInProgress(f"disallow_upload({name!r}): entries are still uploading")
        self._drop(config)

    def cancel(self, name: str, ref: str) -> None:
        """Drop the entry `ref` (unknown refs are ignored: it may just have gone)."""
        config = self._named(name)
        entry = config.entry(ref)
        if entry is not None:
            self._remove(config, entry)

    def uploaded_entries(self, name: str) -> tuple[list[UploadEntry], list[UploadEntry]]:
        """(done, in progress) entries of the upload `name`."""
        entries = self._named(name).entries
        return [e for e in entries if e.done], [e for e in entries if not e.done]

    async def consume(self, name: str, fn: Consumer[T]) -> list[T]:
        """`fn(path, entry)` for each done entry, in order; each is then removed (its
        temporary file deleted). Entries not done stay."""
        config = self._named(name)
        results = []
        for entry in [e for e in config.entries if e.done]:
            results.append(await self._consume(config, entry, fn))
        return results

    async def consume_entry(self, entry: UploadEntry, fn: Consumer[T]) -> T:
        config = self._by_ref.get(entry.upload_ref)
        if config is None or entry not in config.entries:
            raise LookupError(f"entry {entry.ref!r} is not an entry of this LiveView's uploads")
        if not entry.done:
            raise UploadInProgress(f"entry {entry.ref!r} ({entry.client_name}) is not done")
        return await self._consume(config, entry, fn)

    async def _consume(self, config: UploadConfig, entry: UploadEntry, fn: Consumer[T]) -> T:
        try:
            result = fn(entry.path if config.external is None else entry.meta, entry)
            if inspect.isawaitable(result):
                result = await result
            return result
        finally:
            self._remove(config, entry)

    # the channel's side ----------------------------------------------------------------------

    def by_ref(self, ref: object) -> UploadConfig | None:
        return self._by_ref.get(ref) if isinstance(ref, str) else None

    def put_entries(self, config: UploadConfig, raw: object) -> list[UploadEntry]:
        """Add the entries the client describes (new refs only) and check them all; with
        `max_entries=1` a new file replaces one not yet uploading. Returns the entries named,
        old and new, in the client's order; malformed ones are skipped."""
        named: list[UploadEntry] = []
        for item in raw if isinstance(raw, list) else ():
            entry = UploadEntry.from_client(config.ref, item)
            if entry is None:
                continue
            known = config.entry(entry.ref)
            if known is not None:
                named.append(known)
                continue
            if config.max_entries == 1:
                for old in [e for e in config.entries if not e.preflighted]:
                    self._remove(config, old, check=False)
            config.entries.append(entry)
            named.append(entry)
        config.check()
        return named

    def fail(self, config: UploadConfig, entry: UploadEntry, reason: str) -> None:
        """The entry failed while uploading: it keeps the error, loses its file."""
        entry.add_error(reason)
        entry.done = False
        entry.release()

    def client_failed(self, config: UploadConfig, entry: UploadEntry, reason: object) -> None:
        """The client reports a failure: a short reason word is kept, anything else is
        `external_client_failure` (the text is the client's)."""
        word = reason if isinstance(reason, str) and reason.isidentifier() else CLIENT_FAILURE
        self.fail(config, entry, word[:40])

    def close(self) -> None:
        """The LiveView ended: every entry's channel and temporary file go."""
        for config in self._by_name.values():
            for entry in config.entries:
                entry.release()

    def _named(self, name: str) -> UploadConfig:
        config = self._by_name.get(name)
        if config is None:
            raise KeyError(f"no upload named {name!r}; call socket.allow_upload({name!r}, ...)")
        return config

    def _remove(self, config: UploadConfig, entry: UploadEntry, *, check: bool = True) -> None:
        entry.cancelled = not entry.done
        entry.release()
        if entry in config.entries:
            config.entries.remove(entry)
        if check:
            config.check()

    def _drop(self, config: UploadConfig) -> None:
        for entry in config.entries:
            entry.release()
        del self._by_name[config.name]
        self._by_ref.pop(config.ref, None)
