"""Opening an import file as a stream of bytes, plain or compressed (.gz, .zst)."""

from __future__ import annotations

import contextlib
import gzip
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, cast

import zstandard


class ImportFileError(ValueError):
    """A file that cannot be imported at all; the message says which and why."""


@contextlib.contextmanager
def open_import_file(
    path: Path, error: type[ImportFileError] = ImportFileError
) -> Iterator[tuple[IO[bytes], Callable[[], float | None]]]:
    """The file's decompressed bytes, and a function telling which share of the file is read.

    Decompression streams, so only a buffer's worth of the file is in memory at a time. A damaged
    or mislabelled file raises `error` with a message naming it, however far it is read.
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
            stream = io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw))
        elif path.name.endswith(".gz"):
            stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
        else:
            stream = raw
        try:
            yield stream, fraction
        except zstandard.ZstdError as exception:
            raise error(f"{path} is not a valid Zstandard (.zst) file: {exception}.") from exception
        except (gzip.BadGzipFile, EOFError) as exception:
            raise error(f"{path} is not a valid gzip (.gz) file: {exception}.") from exception
