"""Small valid PNG files of a chosen size, for upload tests (a browser previews them)."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(size: int = 200, *, color: tuple[int, int, int] = (200, 40, 40), seed: int = 0) -> bytes:
    """A 2x2 PNG of `color`, padded with a text chunk to `size` bytes (at least ~80); `seed`
    makes files of the same size differ."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
    row = b"\x00" + bytes(color) * 2
    body = _chunk(b"IDAT", zlib.compress(row * 2))
    end = _chunk(b"IEND", b"")
    signature = b"\x89PNG\r\n\x1a\n"
    base = len(signature) + len(header) + len(body) + len(end) + 12 + 5
    pad = max(0, size - base)
    text = _chunk(b"tEXt", b"seed\x00" + str(seed).encode().ljust(pad, b"."))
    return signature + header + text + body + end
