"""Opening an import file as a stream of bytes, plain or compressed (.gz, .zst)."""

from __future__ import annotations

import contextlib
import gzip
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, cast

import zstandard

# Compressed bytes read from the file per step.
ZSTD_READ_SIZE = 1 << 20


class ImportFileError(ValueError):
    """A file that cannot be imported at all; the message says which and why."""


class _ZstdFrames(io.RawIOBase):
    """The decompressed bytes of every Zstandard frame in `raw`, one after the other.

    Written on `decompressobj` because zstandard's own stream reader ends quietly where a
    truncated file ends, so a file cut short would import as if it were whole; here a file that
    ends inside a frame (or holds no frame) raises ZstdError when its end is reached.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self._decompressor = zstandard.ZstdDecompressor()
        self._frame = self._decompressor.decompressobj()
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            compressed = self._raw.read(ZSTD_READ_SIZE)
            if not compressed:
                if not self._frame.eof:
                    raise zstandard.ZstdError(
                        "the file ends inside a compressed frame (is it truncated?)"
                    )
                return 0
            self._pending = memoryview(self._decompress(compressed))
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _decompress(self, compressed: bytes) -> bytes:
        parts = []
        while compressed:
            if self._frame.eof:
                # The next frame of a multi-frame file (as parallel compressors write them).
                self._frame = self._decompressor.decompressobj()
            parts.append(self._frame.decompress(compressed))
            compressed = self._frame.unused_data if self._frame.eof else b""
        return b"".join(parts)


@contextlib.contextmanager
def open_import_file(
    path: Path, error: type[ImportFileError] = ImportFileError
) -> Iterator[tuple[IO[bytes], Callable[[], float | None]]]:
    """The file's decompressed bytes, and a function telling which share of the file is read.

    Decompression streams, so only a buffer's worth of the file is in memory at a time. A damaged,
    truncated or mislabelled file raises `error` with a message naming it, however far it is read:
    callers read to the end inside one transaction, so a file cut short writes nothing.
    """
    try:
        raw = path.open("rb")
    except FileNotFoundError as exception:
        raise error(f"{path}: no such file.") from exception
    except OSError as exception:
        raise error(f"{path}: cannot be read ({exception.strerror}).") from exception
    size = path.stat().st_size

    def fraction() -> float | None:
        return raw.tell() / size if size else None

    with raw:
        stream: IO[bytes]
        if path.name.endswith(".zst"):
            stream = io.BufferedReader(_ZstdFrames(raw))
        elif path.name.endswith(".gz"):
            stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
        else:
            stream = raw
        try:
            yield stream, fraction
        except zstandard.ZstdError as exception:
            raise error(f"{path} is not a valid Zstandard (.zst) file: {exception}.") from exception
        except gzip.BadGzipFile as exception:
            raise error(f"{path} is not a valid gzip (.gz) file: {exception}.") from exception
        except EOFError as exception:
            raise error(
                f"{path} is not a valid gzip (.gz) file: {exception} (is it truncated?)."
            ) from exception
