"""Writing output files without destroying anything.

Every file exointake writes (consent PDFs, FHIR bundles, signed checkpoints, keys) goes
through :class:`Outputs`, which holds one rule:

* a file that exists is never replaced unless the caller passes ``force=True``
  (``--force`` on the command line) — except a file this same run wrote itself;
* a database (an SQLite file, or its ``-wal``/``-shm`` companions) and an input of the
  same run are never replaced, not even with ``force``;
* two outputs of one run never name the same file;
* a symbolic link is never followed: with ``force`` the link itself is replaced;
* the bytes go to a temporary file in the destination's folder, are flushed to disk,
  then take the destination's name in one step (:func:`os.replace`, or a hard link that
  fails if the name was taken meanwhile), so an interrupted write leaves the old file
  whole and never a half-written one;
* new files are created with mode ``0600`` (owner read/write only): they may hold
  patient data. Pass another ``mode`` (e.g. ``0o640``) to share them with a group.

Every refusal is a :class:`~exointake.ValidationError` naming the option (``--out``)
and the path, raised before anything is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from ._errors import ValidationError

__all__ = ["DEFAULT_MODE", "Outputs", "is_database_file", "write_atomic"]

DEFAULT_MODE: Final = 0o600
"""Mode of every file exointake creates: owner read and write only."""

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_DB_COMPANIONS: Final = ("-wal", "-shm", "-journal")


def is_database_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is an SQLite database or one of its ``-wal``/``-shm``/``-journal`` files.

    Looks at the file's first bytes (not its name), so ``clinic.pdf`` holding a log is
    still recognised; a companion file is recognised by its name next to a database.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            if fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC:
                return True
    except OSError:
        pass
    name = p.name
    for suffix in _DB_COMPANIONS:
        if name.endswith(suffix):
            main = p.with_name(name.removesuffix(suffix))
            with contextlib.suppress(OSError), main.open("rb") as fh:
                if fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC:
                    return True
    return False


def _key(path: Path) -> str:
    """A comparable identity for a path that may not exist yet (folder resolved, name kept)."""
    folder = path.parent.resolve()
    return str(folder / path.name)


def _force(flag: str) -> str:
    """How to say "force" to whoever named the file: a command-line option or an argument."""
    return "--force" if flag.startswith("--") else "force=True"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return _key(a) == _key(b)


class Outputs:
    """The files one run may write, checked before any work and written atomically.

    Args:
        force: replace existing files (never a database or an input).
        inputs: files this run reads (``--request``, ``--input``, an SQLite ``--db``…);
            they are never written over.
        mode: permission bits of created files (default ``0600``).

    Example::

        outputs = Outputs(inputs=[request_path, db_path])
        out = outputs.claim(args.out, flag="--out")        # refuses before rendering
        ...
        outputs.write(out, pdf_bytes)
    """

    def __init__(
        self,
        *,
        force: bool = False,
        inputs: Iterable[str | os.PathLike[str] | None] = (),
        mode: int = DEFAULT_MODE,
    ) -> None:
        self.force = force
        self.mode = mode
        self._inputs = [Path(p) for p in inputs if p is not None]
        self._claimed: dict[str, str] = {}  # key -> flag
        self._written: set[str] = set()
        self._created: list[Path] = []  # files that did not exist before this run

    def __repr__(self) -> str:
        return f"Outputs(force={self.force}, claimed={len(self._claimed)})"

    def claim(self, path: str | os.PathLike[str], *, flag: str = "--out") -> Path:
        """Check that ``path`` may be written by this run, and reserve it; returns it.

        Raises:
            ValidationError: the path is a folder, its folder is missing, it is a
                database or an input of this run, another output of this run, or an
                existing file (without ``force``).
        """
        p = Path(path)
        key = _key(p) if p.parent.is_dir() else str(p)
        other = self._claimed.get(key)
        if other is not None and other != flag:
            raise ValidationError(
                [f"{flag}: {p} is also the {other} file of this command"], what="arguments"
            )
        self._check(p, flag)
        self._claimed[key] = flag
        return p

    def _check(self, p: Path, flag: str) -> None:
        def refuse(why: str) -> ValidationError:
            return ValidationError([f"{flag}: {p} {why}"], what="arguments")

        folder = p.parent
        if not folder.is_dir():
            raise refuse("cannot be written: its folder does not exist")
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise refuse(f"cannot be written ({exc.strerror})") from None
        if stat.S_ISDIR(st.st_mode):
            raise refuse("is a folder; give a file name")
        for source in self._inputs:
            if _same_file(p, source):
                raise refuse("is an input of this command; it is never written over")
        if is_database_file(p):
            raise refuse("is a database; it is never written over")
        if _key(p) in self._written:
            return
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISLNK(st.st_mode):
            raise refuse("is not a regular file")
        if not self.force:
            what = "is a symbolic link" if stat.S_ISLNK(st.st_mode) else "exists"
            raise refuse(f"{what}; pass {_force(flag)} to replace it")

    def write(
        self,
        path: str | os.PathLike[str],
        data: bytes,
        *,
        flag: str = "--out",
        mode: int | None = None,
    ) -> Path:
        """Write ``data`` to ``path`` atomically (claiming it first if needed); returns it.

        ``mode`` overrides the instance's mode for this file (a public key, say, 0o644).
        """
        p = self.claim(path, flag=flag)
        replace = self.force or _key(p) in self._written
        new = not os.path.lexists(p)
        try:
            write_atomic(p, data, mode=self.mode if mode is None else mode, replace=replace)
        except FileExistsError:
            raise ValidationError(
                [f"{flag}: {p} appeared while writing; pass {_force(flag)} to replace it"],
                what="arguments",
            ) from None
        except OSError as exc:
            raise ValidationError(
                [f"{flag}: {p} cannot be written ({exc.strerror or type(exc).__name__})"],
                what="arguments",
            ) from None
        self._written.add(_key(p))
        if new:
            self._created.append(p)
        return p

    def undo(self) -> list[Path]:
        """Remove the files this run created (not those it replaced); returns them.

        For a step that fails after its files were written (recording a consent in the
        log, say): the run then leaves no new file behind.
        """
        removed = []
        for p in reversed(self._created):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                removed.append(p)
        self._created.clear()
        self._written.clear()
        return removed


def write_atomic(
    path: str | os.PathLike[str], data: bytes, *, mode: int = DEFAULT_MODE, replace: bool = False
) -> None:
    """Write ``data`` to a temporary file next to ``path`` and give it ``path``'s name.

    With ``replace=False`` the name is taken with a hard link, which fails with
    :class:`FileExistsError` if something appeared there meanwhile (where hard links are
    not supported, an existence check then :func:`os.replace`). With ``replace=True``
    :func:`os.replace` swaps the file (or a symbolic link itself) in one step. Either way
    a crash leaves the old file whole, or no file, and at most a ``.tmp`` file beside it.

    Raises:
        OSError: the folder cannot be written, the disk is full, ...
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                    raise
                if os.path.lexists(target):
                    raise FileExistsError(errno.EEXIST, "file exists", str(target)) from None
                os.replace(tmp, target)
            else:
                os.unlink(tmp)
        _fsync_folder(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fsync_folder(folder: Path) -> None:
    """Make the new name durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
