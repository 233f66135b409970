"""Where a build's files live: a local folder or any fsspec URL (gs://, s3://, file://).

Local writes go to a temporary name and are renamed, so a crash never leaves half a file; object stores
publish an object only when its upload completes, so remote writes go straight to their name.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import cast


def is_url(path: str | os.PathLike) -> bool:
    return "://" in str(path)


def join(root: str | os.PathLike, *parts: str) -> str:
    root = str(root)
    return posixpath.join(root, *parts) if is_url(root) else str(Path(root, *parts))


def _fs(path: str):
    import fsspec

    return fsspec.core.url_to_fs(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    path = str(path)
    if not is_url(path):
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return
    fs, p = _fs(path)
    fs.makedirs(posixpath.dirname(p), exist_ok=True)
    with fs.open(p, "wb") as fh:
        fh.write(data)


def read_bytes(path: str | os.PathLike) -> bytes:
    path = str(path)
    if not is_url(path):
        return Path(path).read_bytes()
    fs, p = _fs(path)
    with fs.open(p, "rb") as fh:
        return fh.read()


def open_read(path: str | os.PathLike):
    """A binary file object to read (and seek) a local file or an fsspec URL; close it (``with``)."""
    path = str(path)
    if not is_url(path):
        return open(path, "rb")
    fs, p = _fs(path)
    return fs.open(p, "rb")


def read_range(path: str | os.PathLike, offset: int, length: int) -> bytes:
    """``length`` bytes of a file from ``offset``; OSError if the file is shorter."""
    with open_read(path) as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise OSError(f"{path}: {length} bytes expected at offset {offset}, {len(data)} found")
    return data


class open_write:  # noqa: N801 - used as a context manager like open()
    """A binary file object that writes ``path`` as a whole or not at all: a local file appears under its name
    only when closed without an error (temporary name, then rename); an object store publishes an object when
    its upload completes, and one cut short by an error is removed."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)

    def __enter__(self):
        if not is_url(self.path):
            target = Path(self.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
            self._fh = open(self._tmp, "wb")
        else:
            fs, p = _fs(self.path)
            fs.makedirs(posixpath.dirname(p), exist_ok=True)
            self._fh = fs.open(p, "wb")
        return self._fh

    def __exit__(self, kind, exc, tb):
        if is_url(self.path):
            self._fh.close()
            if kind is not None:  # a write cut short must not leave half an object under the name
                fs, p = _fs(self.path)
                if fs.exists(p):
                    fs.rm(p)
            return False
        self._fh.close()
        if kind is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)
        return False


def exists(path: str | os.PathLike) -> bool:
    path = str(path)
    if not is_url(path):
        return Path(path).exists()
    fs, p = _fs(path)
    return fs.exists(p)


def parent(path: str | os.PathLike) -> str:
    path = str(path).rstrip("/")
    return posixpath.dirname(path) if is_url(path) else str(Path(path).parent)


def glob(root: str | os.PathLike, pattern: str) -> list[str]:
    """Sorted paths under ``root`` matching ``pattern`` (relative, '/'-separated), in ``root``'s own form."""
    root = str(root)
    if not is_url(root):
        return sorted(str(p) for p in Path(root).glob(pattern))
    fs, p = _fs(root)
    protocol = root.split("://", 1)[0]
    return sorted(f"{protocol}://{m}" if not m.startswith(f"{protocol}://") else m
                  for m in fs.glob(posixpath.join(p, pattern)))


def relative(path: str, root: str | os.PathLike) -> str:
    root = str(root)
    if not is_url(root):
        return str(Path(path).relative_to(root))
    return posixpath.relpath(path.split("://", 1)[-1], root.split("://", 1)[-1])


def remove(path: str | os.PathLike) -> None:
    """Delete a file or a folder tree if it exists."""
    path = str(path)
    if not is_url(path):
        import shutil

        p = Path(path)
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        elif p.exists():
            p.unlink()
        return
    fs, p = _fs(path)
    if fs.exists(p):
        fs.rm(p, recursive=True)


def move(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Rename a file or folder (on object stores: copy, then delete)."""
    source, target = str(source), str(target)
    if not is_url(source):
        Path(source).rename(target)
        return
    fs, s = _fs(source)
    _fs2, t = _fs(target)
    fs.mv(s, t, recursive=True)


def makedirs(path: str | os.PathLike) -> None:
    path = str(path)
    if not is_url(path):
        Path(path).mkdir(parents=True, exist_ok=True)
        return
    fs, p = _fs(path)
    fs.makedirs(p, exist_ok=True)


def parquet_pieces(paths: list[str], columns: list[str], each=None):
    """Polars frames of Parquet files, local or remote, one row group at a time, each shrunk by ``each`` (a
    function of a frame) if given: a caller that keeps only aggregates of the pieces holds one row group."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    for path in paths:
        with open_read(path) as fh:
            reader = pq.ParquetFile(fh)
            for group in range(reader.num_row_groups):
                # a Table always gives a DataFrame (a Series only comes from an Arrow array)
                frame = cast(pl.DataFrame, pl.from_arrow(reader.read_row_group(group, columns=columns)))
                yield each(frame) if each is not None else frame
                del frame
                # Arrow's allocator keeps freed pages for reuse; over a thousand row groups of varied size
                # they added up to hundreds of MiB that nothing used.
                pa.default_memory_pool().release_unused()


def parquet_metadata(path: str):
    import io

    import pyarrow.parquet as pq

    return pq.read_metadata(path if not is_url(path) else io.BytesIO(read_bytes(path)))
