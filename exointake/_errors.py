"""The exception tree of exointake.

Every error the library raises on purpose is an :class:`ExointakeError`; each
class also inherits the builtin that fits, so callers who only know Python's
exceptions still catch it::

    ExointakeError
    ├── ValidationError (ValueError)          bad input, every problem with its path
    │   └── VersionMismatchError              answers given on another questionnaire version
    ├── ScreeningRefused (PermissionError)    a safety gate refused to go on
    ├── LogIntegrityError                     the hash chain of a log is broken
    ├── EntryNotFound (KeyError)              no log entry has the id asked for
    ├── StorageError                          the database cannot be reached, read or written
    ├── MigrationRequired (RuntimeError)      the database schema is older than the library
    └── RenderError (ValueError)              a document could not be rendered faithfully

Messages name field paths, item ids and opaque ids only: never a patient's
name, birth date or free text.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "EntryNotFound",
    "ExointakeError",
    "LogIntegrityError",
    "MigrationRequired",
    "RenderError",
    "ScreeningRefused",
    "StorageError",
    "ValidationError",
    "VersionMismatchError",
]


class ExointakeError(Exception):
    """Base class of every error exointake raises on purpose."""


class ValidationError(ExointakeError, ValueError):
    """Input did not match what was expected.

    ``errors`` lists every problem found, each as ``path: what was expected``,
    for example ``answers.cancer_history: expected one of none|past|current, got 'yes'``.
    """

    errors: tuple[str, ...]

    def __init__(self, errors: Iterable[str] | str, *, what: str = "input") -> None:
        self.errors = (errors,) if isinstance(errors, str) else tuple(errors)
        self.what = what
        n = len(self.errors)
        head = f"invalid {what}: {n} problem{'s' if n != 1 else ''}"
        super().__init__(head + "".join(f"\n  - {e}" for e in self.errors))

    def __reduce__(self) -> tuple[type[ValidationError], tuple[tuple[str, ...], str]]:
        return (_rebuild_validation_error, (self.errors, self.what))  # type: ignore[return-value]


def _rebuild_validation_error(errors: tuple[str, ...], what: str) -> ValidationError:
    return ValidationError(errors, what=what)


class VersionMismatchError(ValidationError):
    """Answers were pinned to a different questionnaire version or content."""


class ScreeningRefused(ExointakeError, PermissionError):
    """A safety gate refused the operation (e.g. consent for a contraindicated patient)."""


class LogIntegrityError(ExointakeError):
    """The log's hash chain does not verify; ``entry_id`` names the first broken entry."""

    def __init__(self, message: str, *, entry_id: str | None = None) -> None:
        super().__init__(message)
        self.entry_id = entry_id


class EntryNotFound(ExointakeError, KeyError):
    """No entry of the log has the id asked for; ``entry_id`` names it."""

    def __init__(self, entry_id: str) -> None:
        super().__init__(entry_id)
        self.entry_id = entry_id

    def __str__(self) -> str:
        return f"entry_id: no entry {self.entry_id} in this log"


class StorageError(ExointakeError):
    """The database could not be reached, read or written (down, wrong name, unwritable file).

    Not a :class:`ValueError`: the input was fine, the storage failed. The driver's
    exception is chained as ``__cause__``; the message names no SQL parameters.
    """


class MigrationRequired(ExointakeError, RuntimeError):
    """The database was made by an older exointake; run ``exointake log migrate``."""


class RenderError(ExointakeError, ValueError):
    """A document could not be rendered faithfully (e.g. a glyph missing from the font)."""
