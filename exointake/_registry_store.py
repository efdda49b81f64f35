"""Storage of the registry: PostgreSQL tables, migrations, checked COPY-based import.

The only registry module that touches SQLAlchemy and psycopg. :mod:`exointake._registry`
hands it a folder and asks for plain rows through named methods of
:class:`RegistryStore`. Driver failures become :class:`~exointake.StorageError`, bad
exports :class:`~exointake.ValidationError` naming the file and field — never a driver
traceback nor a stored value.

Tables (made by the registry's own Alembic migrations, ``exointake/_registry_migrations``,
recorded in ``registry_alembic_version`` so that a registry can share a database with a
log):

* ``registry_exports`` — every export imported: its clinic, the SHA-256 of its
  ``manifest.json`` bytes (its identity), the log head it was made at, the region, the
  manifest itself (JSONB), when it was imported and whether it is the clinic's current
  export;
* ``registry_cases``, ``registry_administrations``, ``registry_reactions`` — the rows of
  each clinic's current export, with the columns of the export's CSV files;
* ``registry_strata`` — administrations per clinic, period, route and lot of the current
  exports, kept by the import in its transaction (what the pooled lot series reads).

Every table has ``clinic_id`` as its first column and in its primary key: the
distribution column. When one server is outgrown, an existing sharding extension can
distribute the tables by clinic without any change here; with Citus, for example::

    SELECT create_distributed_table('registry_exports', 'clinic_id');
    SELECT create_distributed_table('registry_cases', 'clinic_id',
                                    colocate_with => 'registry_exports');
    SELECT create_distributed_table('registry_administrations', 'clinic_id',
                                    colocate_with => 'registry_exports');
    SELECT create_distributed_table('registry_reactions', 'clinic_id',
                                    colocate_with => 'registry_exports');
    SELECT create_distributed_table('registry_strata', 'clinic_id',
                                    colocate_with => 'registry_exports');

An import touches one clinic (one shard group); the pooled rates and signals are
``GROUP BY`` queries Citus runs on every shard and merges. exointake builds no sharding
layer of its own.

Import (:meth:`RegistryStore.load`): the export is checked first, without the database
(:func:`check_export`: the manifest's format and fields, each file's SHA-256, header and
row count); then, in one transaction holding the clinic's advisory lock, the files are
streamed with ``COPY … FROM STDIN (FORMAT csv, HEADER true)`` through psycopg's
``cursor.copy`` — hashed again while they stream, so a file changed after the check is
refused — with ``clinic_id`` filled by the column's default from a ``SET LOCAL``-style
setting (no second pass over the rows). A newer export of a clinic replaces its rows in
that same transaction; anything that fails rolls the whole import back.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Final, NamedTuple

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine

from ._errors import ExointakeError, MigrationRequired, StorageError, ValidationError
from ._log._store import storage_error

__all__ = [
    "COLUMNS",
    "EXPORT_FORMAT",
    "FILES",
    "METADATA",
    "VERSION_TABLE",
    "CheckedExport",
    "ExportRow",
    "RegistryStore",
    "check_export",
    "count_strata",
    "open_store",
]

EXPORT_FORMAT: Final = "exointake-registry-export"
EXPORT_FORMAT_VERSION: Final = 1
VERSION_TABLE: Final = "registry_alembic_version"
"""The registry's migration record (the log's is ``alembic_version``)."""

CASES: Final = ("case_key", "patient_key", "age_band", "region", "period", "route")
ADMINISTRATIONS: Final = (
    "case_key",
    "origin",
    "sourcing",
    "maker",
    "lot",
    "route",
    "site",
    "volume_ml",
    "days_from_lot_first_use",
)
REACTIONS: Final = (
    "reaction_key",
    "case_key",
    "minutes_to_onset",
    "symptoms",
    "category",
    "event_kind",
    "ctcae_term",
    "ctcae_meddra_llt",
    "ctcae_grade",
    "brighton_level",
    "serious",
    "seriousness_criteria",
    "outcome",
    "causality",
)
COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "cases.csv": CASES,
    "administrations.csv": ADMINISTRATIONS,
    "reactions.csv": REACTIONS,
}
"""Each export CSV file and its columns, in the registry-spec's order (load order)."""
FILES: Final = (*COLUMNS, "manifest.json")
TABLES: Final[Mapping[str, str]] = {
    "cases.csv": "registry_cases",
    "administrations.csv": "registry_administrations",
    "reactions.csv": "registry_reactions",
}

CLINIC_SETTING: Final = "exointake.registry_clinic_id"
"""The transaction setting the data tables' ``clinic_id`` default reads during COPY."""
_MIGRATION_LOCK: Final = 0x6578_6F72  # "exor": advisory lock key while migrating
_IMPORT_LOCK: Final = 0x6578_6F69  # with hashtext(clinic_id): one import per clinic
_MAX_MANIFEST: Final = 4 * 1024 * 1024
_CHUNK: Final = 1 << 20
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX16 = re.compile(r"[0-9a-f]{16}")
_REGION = re.compile(r"0[1-9]|[1-3][0-9]|4[0-7]")
ROUTES: Final = ("iv_drip", "injection_face", "injection_scalp")

# ---------------------------------------------------------------------------- tables

METADATA: Final = sa.MetaData()
"""The registry's tables as its migrations make them (the migrations are the truth;
tests compare the two)."""

_CLINIC_DEFAULT = sa.text(f"current_setting('{CLINIC_SETTING}')")


def _clinic() -> sa.Column[str]:
    return sa.Column("clinic_id", sa.Text, nullable=False, server_default=_CLINIC_DEFAULT)


_ROUTE_CHECK = "route IN ('iv_drip', 'injection_face', 'injection_scalp')"

EXPORTS = sa.Table(
    "registry_exports",
    METADATA,
    sa.Column("clinic_id", sa.Text, nullable=False),
    sa.Column("manifest_sha256", sa.Text, nullable=False),
    sa.Column("head_seq", sa.BigInteger, nullable=False),
    sa.Column("head_hash", sa.Text, nullable=False),
    sa.Column("region", sa.Text, nullable=False),
    sa.Column("manifest", postgresql.JSONB, nullable=False),
    sa.Column("imported_at", sa.Text, nullable=False),
    sa.Column("current", sa.Boolean, nullable=False),
    sa.PrimaryKeyConstraint("clinic_id", "manifest_sha256"),
)
CASES_TABLE = sa.Table(
    "registry_cases",
    METADATA,
    _clinic(),
    sa.Column("case_key", sa.Text, nullable=False),
    sa.Column("patient_key", sa.Text, nullable=False),
    sa.Column("age_band", sa.Text, nullable=False),
    sa.Column("region", sa.Text, nullable=False),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("route", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("clinic_id", "case_key"),
    sa.CheckConstraint(
        r"period ~ '^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$'", name="ck_registry_cases_period"
    ),
    sa.CheckConstraint(_ROUTE_CHECK, name="ck_registry_cases_route"),
)
ADMINISTRATIONS_TABLE = sa.Table(
    "registry_administrations",
    METADATA,
    _clinic(),
    sa.Column("case_key", sa.Text, nullable=False),
    sa.Column("origin", sa.Text),
    sa.Column("sourcing", sa.Text),
    sa.Column("maker", sa.Text),
    sa.Column("lot", sa.Text),
    sa.Column("route", sa.Text, nullable=False),
    sa.Column("site", sa.Text),
    sa.Column("volume_ml", sa.Numeric),
    sa.Column("days_from_lot_first_use", sa.Integer),
    sa.PrimaryKeyConstraint("clinic_id", "case_key"),
    sa.CheckConstraint(_ROUTE_CHECK, name="ck_registry_administrations_route"),
)
REACTIONS_TABLE = sa.Table(
    "registry_reactions",
    METADATA,
    _clinic(),
    sa.Column("reaction_key", sa.Text, nullable=False),
    sa.Column("case_key", sa.Text, nullable=False),
    sa.Column("minutes_to_onset", sa.Integer),
    sa.Column("symptoms", sa.Text),
    sa.Column("category", sa.Text),
    sa.Column("event_kind", sa.Text),
    sa.Column("ctcae_term", sa.Text),
    sa.Column("ctcae_meddra_llt", sa.Text),
    sa.Column("ctcae_grade", sa.SmallInteger),
    sa.Column("brighton_level", sa.SmallInteger),
    sa.Column("serious", sa.Boolean),
    sa.Column("seriousness_criteria", sa.Text),
    sa.Column("outcome", sa.Text),
    sa.Column("causality", sa.Text),
    sa.PrimaryKeyConstraint("clinic_id", "reaction_key"),
)
STRATA_TABLE = sa.Table(
    "registry_strata",
    METADATA,
    sa.Column("clinic_id", sa.Text, nullable=False),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("route", sa.Text, nullable=False),
    sa.Column("lot", sa.Text, nullable=False),
    sa.Column("administrations", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("clinic_id", "period", "route", "lot"),
)
"""Administrations per clinic, period, route and lot of the current exports (kept by the
import, in its transaction): what the pooled lot series reads instead of a join and
``GROUP BY`` over every administration."""
REGISTRY_TABLES: Final = frozenset(METADATA.tables)

# ---------------------------------------------------------------------------- engine


def create_engine_for(url: str) -> Engine:
    """An engine for the registry at ``url``: PostgreSQL only (psycopg 3)."""
    if not isinstance(url, str) or not url:
        raise ValidationError(["db: expected a PostgreSQL URL"], what="database")
    if "://" not in url:
        raise ValidationError(
            [
                "db: the registry needs PostgreSQL (postgresql+psycopg://user@host/db); "
                "a file path would be SQLite"
            ],
            what="database",
        )
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise ValidationError(["db: not a valid database URL"], what="database") from None
    if parsed.get_backend_name() != "postgresql":
        raise ValidationError(
            [
                f"db: the registry needs PostgreSQL (postgresql+psycopg://user@host/db), "
                f"got a {parsed.get_backend_name()} URL"
            ],
            what="database",
        )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_driver_name() != "psycopg":
        raise ValidationError(
            [
                f"db: the registry loads with psycopg 3 (postgresql+psycopg://…), got "
                f"driver {parsed.get_driver_name()!r}"
            ],
            what="database",
        )
    try:
        return sa.create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    except (ImportError, sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise ValidationError(
            [
                f"db: cannot use {parsed.drivername!r} ({type(exc).__name__}); install "
                "exointake[postgres]"
            ],
            what="database",
        ) from None


# ---------------------------------------------------------------------------- migrations


def _alembic_config() -> Any:
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("exointake") / "_registry_migrations")
    )
    return cfg


def head_revision() -> str:
    """The newest registry migration shipped with this version of exointake."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return str(head)


def known_revisions() -> frozenset[str]:
    """Every registry migration revision shipped with this version of exointake."""
    script = ScriptDirectory.from_config(_alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


def current_revision(conn: Connection) -> str | None:
    """The registry's migration revision in the database, or None without one."""
    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    rev = context.get_current_revision()
    return None if rev is None else str(rev)


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the registry's tables (beside any other tables); returns the
    revision before and after. Refuses (:class:`MigrationRequired`, nothing changed) a
    revision this exointake does not know, or registry tables no migration recorded."""
    with engine.connect() as conn, conn.begin():
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        before = current_revision(conn)
        if before is not None and before not in known_revisions():
            raise MigrationRequired(
                f"the registry is at revision {before}, newer than this exointake knows "
                f"(newest {head_revision()}); upgrade exointake, nothing was changed"
            )
        if before is None:
            ours = sorted(REGISTRY_TABLES & set(sa.inspect(conn).get_table_names()))
            if ours:
                raise MigrationRequired(
                    f"the database has a table {ours[0]} that exointake's registry "
                    f"migrations did not make (no {VERSION_TABLE}); nothing was changed"
                )
        if before != head_revision():
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        after = current_revision(conn)
    assert after is not None
    return before, after


# ---------------------------------------------------------------------------- errors


@contextmanager
def _translated(doing: str) -> Iterator[None]:
    try:
        yield
    except ExointakeError:
        raise
    except OSError as exc:
        raise storage_error(exc, doing) from None
    except Exception as exc:
        if isinstance(exc, _driver_errors()):
            raise storage_error(exc, doing) from None
        raise


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [sa.exc.DBAPIError]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors.append(psycopg.Error)
    return tuple(errors)


_COPY_WHAT: Final = {
    "23505": "a key repeats ({key} must be unique within the clinic)",
    "23502": "column {column}: a value is required",
    "23514": "column {column}: not a value the registry accepts",
    "22P02": "column {column}: not a valid value",
    "22P04": "not a well-formed CSV line for this file",
    "22003": "column {column}: the number is out of range",
    "22007": "column {column}: not a valid value",
    "22021": "not valid UTF-8",
    "22P05": "not valid UTF-8",
}
_CONTEXT = re.compile(r"line (\d+)(?:, column (\w+))?")
_CHECK_COLUMN = re.compile(r"ck_registry_[a-z]+_([a-z_]+)$")


def _copy_error(exc: BaseException, file: str) -> ValidationError | StorageError:
    """A COPY failure as the file, line and column it names (never the value)."""
    sqlstate = str(getattr(exc, "sqlstate", "") or "")
    template = _COPY_WHAT.get(sqlstate)
    if template is None:
        return storage_error(exc, "import into")
    diag = getattr(exc, "diag", None)
    context = str(getattr(diag, "context", None) or "")
    found = _CONTEXT.search(context)
    column = found.group(2) if found and found.group(2) else None
    if sqlstate == "23514":
        name = _CHECK_COLUMN.search(str(getattr(diag, "constraint_name", "") or ""))
        column = name.group(1) if name else column
    if sqlstate == "23502":
        column = str(getattr(diag, "column_name", None) or column or "?")
    where = f"{file}: line {found.group(1)}" if found else file
    key = COLUMNS[file][0]
    return ValidationError(
        [f"{where}: " + template.format(column=column or "?", key=key)],
        what="registry export",
    )


# ---------------------------------------------------------------------------- checks


class FileCheck(NamedTuple):
    """One CSV file of an export as checked: where it is, its hash and data rows."""

    name: str
    path: Path
    sha256: str
    rows: int
    quoted: bool
    """It holds a quote character (read it with the csv module, not by lines)."""


class CheckedExport(NamedTuple):
    """An export folder whose manifest and files agree (see :func:`check_export`)."""

    folder: Path
    manifest: Mapping[str, Any]
    manifest_bytes: bytes
    manifest_sha256: str
    clinic_id: str
    head_seq: int
    head_hash: str
    region: str
    files: tuple[FileCheck, ...]


def _bad(errors: Sequence[str] | str) -> ValidationError:
    return ValidationError(errors, what="registry export")


def _read_manifest(folder: Path) -> tuple[bytes, dict[str, Any]]:
    path = folder / "manifest.json"
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_MANIFEST + 1)
    except FileNotFoundError:
        raise _bad(f"manifest.json: missing from {folder}") from None
    except OSError as exc:
        raise _bad(f"manifest.json: cannot be read ({exc.strerror})") from None
    if len(data) > _MAX_MANIFEST:
        raise _bad(f"manifest.json: larger than {_MAX_MANIFEST} bytes")
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _bad("manifest.json: not valid UTF-8 JSON") from None
    if not isinstance(obj, dict):
        raise _bad("manifest.json: expected a JSON object")
    canonical = json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    if canonical.encode("utf-8") != data:
        raise _bad(
            "manifest.json: not in the canonical form (sorted keys, 2-space indent, UTF-8, "
            "a final newline): its bytes are the export's identity"
        )
    return data, obj


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _manifest_errors(m: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    if m.get("format") != EXPORT_FORMAT:
        errors.append(f"manifest.json: format: expected {EXPORT_FORMAT!r}")
    if m.get("format_version") != EXPORT_FORMAT_VERSION or isinstance(
        m.get("format_version"), bool
    ):
        errors.append(
            f"manifest.json: format_version: expected {EXPORT_FORMAT_VERSION} (this "
            "exointake reads no other)"
        )
    clinic = m.get("clinic_id")
    if not isinstance(clinic, str) or not _HEX16.fullmatch(clinic):
        errors.append("manifest.json: clinic_id: expected 16 lowercase hex characters")
    fingerprint = m.get("key_fingerprint")
    if not isinstance(fingerprint, str) or not (
        fingerprint.startswith("sha256:") and _HEX64.fullmatch(fingerprint[7:])
    ):
        errors.append("manifest.json: key_fingerprint: expected 'sha256:' and 64 hex")
    elif isinstance(clinic, str) and fingerprint[7:23] != clinic:
        errors.append("manifest.json: clinic_id: expected the first 16 hex of key_fingerprint")
    region = m.get("region")
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        errors.append("manifest.json: region: expected a prefecture code 01-47")
    source = m.get("source")
    if not isinstance(source, dict):
        errors.append("manifest.json: source: expected an object")
    else:
        if not _whole(source.get("head_seq")):
            errors.append("manifest.json: source.head_seq: expected a whole number")
        head_hash = source.get("head_hash")
        if not isinstance(head_hash, str) or not _HEX64.fullmatch(head_hash):
            errors.append("manifest.json: source.head_hash: expected 64 lowercase hex")
    files = m.get("files")
    if not isinstance(files, dict):
        errors.append("manifest.json: files: expected an object")
        return errors
    extra = sorted(set(files) - set(COLUMNS))
    if extra:
        errors.append(f"manifest.json: files: unexpected file {extra[0]!r}")
    for name, columns in COLUMNS.items():
        entry = files.get(name)
        where = f"manifest.json: files.{name}"
        if not isinstance(entry, dict):
            errors.append(f"{where}: missing")
            continue
        digest = entry.get("sha256")
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
            errors.append(f"{where}.sha256: expected 64 lowercase hex")
        if not _whole(entry.get("rows")):
            errors.append(f"{where}.rows: expected a whole number")
        if entry.get("columns") != list(columns):
            errors.append(f"{where}.columns: expected {','.join(columns)}")
    return errors


def _check_file(path: Path, name: str, sha256: str, rows: int) -> FileCheck:
    columns = COLUMNS[name]
    digest = hashlib.sha256()
    newlines = 0
    quoted = False
    first = b""
    last = b"\n"
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                newlines += chunk.count(b"\n")
                quoted = quoted or b'"' in chunk
                if len(first) < 4096 and b"\n" not in first:
                    first += chunk[:4096]
                last = chunk[-1:]
    except FileNotFoundError:
        raise _bad(f"{name}: missing from {path.parent}") from None
    except OSError as exc:
        raise _bad(f"{name}: cannot be read ({exc.strerror})") from None
    if digest.hexdigest() != sha256:
        raise _bad(
            f"{name}: its SHA-256 is not the manifest's (files.{name}.sha256): the file was "
            "changed after the export; nothing was imported"
        )
    header = first.split(b"\n", 1)[0]
    if header != ",".join(columns).encode("ascii"):
        raise _bad(f"{name}: line 1: expected the header {','.join(columns)}")
    if quoted:
        # A quoted field may hold a line break: count records as CSV does.
        with path.open(encoding="utf-8", newline="") as text:
            found = sum(1 for _ in csv.reader(text)) - 1
    else:
        found = newlines - 1 + (last != b"\n")
    if found != rows:
        raise _bad(
            f"{name}: {found} data rows, the manifest says {rows} (files.{name}.rows); "
            "nothing was imported"
        )
    return FileCheck(name, path, sha256, rows, quoted)


def _split_lines(file: FileCheck) -> Iterator[list[bytes]]:
    """The data rows of a checked file as lists of field bytes (empty: not recorded)."""
    if not file.quoted:
        with file.path.open("rb") as fh:
            next(fh, None)
            for line in fh:
                yield line.rstrip(b"\n").split(b",")
        return
    with file.path.open(encoding="utf-8", errors="surrogateescape", newline="") as text:
        rows = csv.reader(text)
        next(rows, None)
        for row in rows:
            yield [v.encode("utf-8", "surrogateescape") for v in row]


def count_strata(export: CheckedExport) -> dict[tuple[str, str, str], int]:
    """Administrations per (period, route, lot) of an export (lot recorded), pairing
    ``cases.csv`` and ``administrations.csv`` line by line: both are sorted by
    ``case_key`` with one administration per case, so line N of each must name the same
    case (and the same route). Raises :class:`ValidationError` naming the line."""
    cases, administrations = export.files[0], export.files[1]
    width_c, width_a = len(CASES), len(ADMINISTRATIONS)
    counts: dict[tuple[bytes, bytes, bytes], int] = {}
    for n, (c, a) in enumerate(
        zip(_split_lines(cases), _split_lines(administrations), strict=True), start=2
    ):
        if len(c) != width_c:
            raise _bad(f"cases.csv: line {n}: expected {width_c} fields, got {len(c)}")
        if len(a) != width_a:
            raise _bad(f"administrations.csv: line {n}: expected {width_a} fields, got {len(a)}")
        if c[0] != a[0]:
            raise _bad(
                f"administrations.csv: line {n}: case_key: not the case on line {n} of "
                "cases.csv (both files hold one row per case, sorted by case_key)"
            )
        if c[5] != a[5]:
            raise _bad(f"administrations.csv: line {n}: route: not its case's route in cases.csv")
        if a[4]:
            key = (c[4], a[5], a[4])
            counts[key] = counts.get(key, 0) + 1
    try:
        return {
            (p.decode("utf-8"), r.decode("utf-8"), lot.decode("utf-8")): v
            for (p, r, lot), v in counts.items()
        }
    except UnicodeDecodeError:
        raise _bad("cases.csv, administrations.csv: not valid UTF-8") from None


def check_export(folder: str | os.PathLike[str]) -> CheckedExport:
    """Check an export folder without any database: the manifest (canonical JSON, format,
    version, clinic, source head, files) and each CSV file's SHA-256, header and row
    count. Raises :class:`ValidationError` naming the file and field."""
    path = Path(folder)
    if not path.is_dir():
        raise _bad(f"{path}: not a folder (expected an export folder with {', '.join(FILES)})")
    data, manifest = _read_manifest(path)
    errors = _manifest_errors(manifest)
    if errors:
        raise _bad(errors)
    files = tuple(
        _check_file(
            path / name,
            name,
            manifest["files"][name]["sha256"],
            manifest["files"][name]["rows"],
        )
        for name in COLUMNS
    )
    if files[0].rows != files[1].rows:
        raise _bad(
            f"administrations.csv: {files[1].rows} rows for {files[0].rows} cases: the "
            "export holds one administration per case"
        )
    return CheckedExport(
        folder=path,
        manifest=manifest,
        manifest_bytes=data,
        manifest_sha256=hashlib.sha256(data).hexdigest(),
        clinic_id=manifest["clinic_id"],
        head_seq=manifest["source"]["head_seq"],
        head_hash=manifest["source"]["head_hash"],
        region=manifest["region"],
        files=files,
    )


# ---------------------------------------------------------------------------- store


class ExportRow(NamedTuple):
    """One imported export as stored in ``registry_exports`` (without the manifest)."""

    clinic_id: str
    manifest_sha256: str
    head_seq: int
    head_hash: str
    region: str
    imported_at: str
    current: bool
    cases: int
    administrations: int
    reactions: int


class LoadOutcome(NamedTuple):
    """What :meth:`RegistryStore.load` did: ``imported``, ``replaced`` or ``unchanged``,
    and the clinic's export it replaced (or the one already imported)."""

    status: str
    previous: ExportRow | None


RATE_DIMENSIONS: Final[Mapping[str, str]] = {
    "product": "origin",
    "maker": "maker",
    "lot": "lot",
    "route": "route",
}
"""What :meth:`RegistryStore.rate_rows` can group by -> the administrations' column."""


def open_store(url: str) -> RegistryStore:
    """Connect to the registry at ``url`` (PostgreSQL), creating or upgrading its tables."""
    engine = create_engine_for(url)
    try:
        with _translated("open"):
            migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return RegistryStore(engine)


_EXPORT_COLUMNS: Final = (
    EXPORTS.c.clinic_id,
    EXPORTS.c.manifest_sha256,
    EXPORTS.c.head_seq,
    EXPORTS.c.head_hash,
    EXPORTS.c.region,
    EXPORTS.c.imported_at,
    EXPORTS.c.current,
    EXPORTS.c.manifest["files"]["cases.csv"]["rows"].as_integer(),
    EXPORTS.c.manifest["files"]["administrations.csv"]["rows"].as_integer(),
    EXPORTS.c.manifest["files"]["reactions.csv"]["rows"].as_integer(),
)


class RegistryStore:
    """Transactions and named queries on the registry's tables, in plain rows."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> str:
        """The database URL without its password (for reprs)."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- import ------------------------------------------------------------------------

    def load(self, export: CheckedExport, *, imported_at: dt.datetime) -> LoadOutcome:
        """Import a checked export in one transaction (see the module docstring)."""
        stamp = imported_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with _translated("import into"), self.engine.connect() as conn, conn.begin():
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:k, hashtext(:c))"),
                {"k": _IMPORT_LOCK, "c": export.clinic_id},
            )
            rows = [
                ExportRow._make(r)
                for r in conn.execute(
                    sa.select(*_EXPORT_COLUMNS).where(EXPORTS.c.clinic_id == export.clinic_id)
                )
            ]
            same = next((r for r in rows if r.manifest_sha256 == export.manifest_sha256), None)
            if same is not None:
                return LoadOutcome("unchanged", same)
            current = next((r for r in rows if r.current), None)
            if current is not None and current.head_seq >= export.head_seq:
                raise _bad(
                    f"manifest.json: source.head_seq: {export.head_seq} is not newer than "
                    f"the clinic's current export (head {current.head_seq}, manifest "
                    f"sha256 {current.manifest_sha256[:12]}…); an older or equal head with "
                    "another manifest is refused, nothing was changed"
                )
            # Still before any write: the files pair up line by line (counted here, not in
            # check_export, so that an export already imported costs only its hashes).
            strata = count_strata(export)
            if current is not None:
                for table in (STRATA_TABLE, REACTIONS_TABLE, ADMINISTRATIONS_TABLE, CASES_TABLE):
                    conn.execute(table.delete().where(table.c.clinic_id == export.clinic_id))
                conn.execute(
                    EXPORTS.update()
                    .where(EXPORTS.c.clinic_id == export.clinic_id)
                    .values(current=False)
                )
            conn.execute(
                sa.text("SELECT set_config(:name, :clinic, true)"),
                {"name": CLINIC_SETTING, "clinic": export.clinic_id},
            )
            raw = conn.connection.driver_connection
            assert raw is not None
            for file in export.files:
                _copy_file(raw, file)
            _check_joins(conn, export.clinic_id)
            if strata:
                conn.execute(
                    STRATA_TABLE.insert(),
                    [
                        {
                            "clinic_id": export.clinic_id,
                            "period": period,
                            "route": route,
                            "lot": lot,
                            "administrations": n,
                        }
                        for (period, route, lot), n in sorted(strata.items())
                    ],
                )
            conn.execute(
                EXPORTS.insert().values(
                    clinic_id=export.clinic_id,
                    manifest_sha256=export.manifest_sha256,
                    head_seq=export.head_seq,
                    head_hash=export.head_hash,
                    region=export.region,
                    manifest=dict(export.manifest),
                    imported_at=stamp,
                    current=True,
                )
            )
        return LoadOutcome("imported" if current is None else "replaced", current)

    # -- reading -----------------------------------------------------------------------

    def exports(self) -> list[ExportRow]:
        """Every export imported, by clinic then head."""
        query = sa.select(*_EXPORT_COLUMNS).order_by(
            EXPORTS.c.clinic_id, EXPORTS.c.head_seq, EXPORTS.c.manifest_sha256
        )
        with _translated("read"), self.engine.connect() as conn:
            return [ExportRow._make(r) for r in conn.execute(query)]

    def rate_rows(self, by: Sequence[str]) -> list[tuple[tuple[str | None, ...], int, int, int]]:
        """Per group of ``by`` (keys of :data:`RATE_DIMENSIONS`): the administrations, those
        with at least one reaction, and the reactions, across clinics."""
        a = ADMINISTRATIONS_TABLE.alias("a")
        r = REACTIONS_TABLE
        per_case = (
            sa.select(r.c.clinic_id, r.c.case_key, sa.func.count().label("n"))
            .group_by(r.c.clinic_id, r.c.case_key)
            .subquery("r")
        )
        dims = [a.c[RATE_DIMENSIONS[d]] for d in by]
        query = (
            sa.select(
                *dims,
                sa.func.count(),
                sa.func.count(per_case.c.case_key),
                sa.func.coalesce(sa.func.sum(per_case.c.n), 0),
            )
            .select_from(
                a.outerjoin(
                    per_case,
                    sa.and_(
                        per_case.c.clinic_id == a.c.clinic_id,
                        per_case.c.case_key == a.c.case_key,
                    ),
                )
            )
            .group_by(*dims)
        )
        k = len(dims)
        with _translated("read"), self.engine.connect() as conn:
            return [
                (tuple(row[:k]), int(row[k]), int(row[k + 1]), int(row[k + 2]))
                for row in conn.execute(query)
            ]

    def series_rows(
        self, clinic_id: str | None = None
    ) -> tuple[
        list[tuple[str, str, str, str, int]],
        list[tuple[str, str, str, str, str, str, str | None, bool | None, str | None]],
        list[tuple[str, str, int]],
    ]:
        """What a pooled lot series is made of (for one clinic, or all).

        Returns the administrations per ``(clinic_id, period, route, lot, n)``; each
        reaction as ``(clinic_id, period, case_key, reaction_key, route, lot, category,
        serious, event_kind)``; and the current exports as ``(clinic_id, manifest_sha256,
        head_seq)``. Administrations without a lot are left out (no lot to test).
        """
        a, c, r = ADMINISTRATIONS_TABLE, CASES_TABLE, REACTIONS_TABLE
        joined = a.join(c, sa.and_(c.c.clinic_id == a.c.clinic_id, c.c.case_key == a.c.case_key))
        where: list[sa.ColumnElement[bool]] = [a.c.lot.is_not(None)]
        if clinic_id is not None:
            where.append(a.c.clinic_id == clinic_id)
        t = STRATA_TABLE
        strata = sa.select(t.c.clinic_id, t.c.period, t.c.route, t.c.lot, t.c.administrations)
        if clinic_id is not None:
            strata = strata.where(t.c.clinic_id == clinic_id)
        reactions = (
            sa.select(
                r.c.clinic_id,
                c.c.period,
                r.c.case_key,
                r.c.reaction_key,
                a.c.route,
                a.c.lot,
                r.c.category,
                r.c.serious,
                r.c.event_kind,
            )
            .select_from(
                r.join(
                    joined,
                    sa.and_(a.c.clinic_id == r.c.clinic_id, a.c.case_key == r.c.case_key),
                )
            )
            .where(*where)
        )
        heads = sa.select(EXPORTS.c.clinic_id, EXPORTS.c.manifest_sha256, EXPORTS.c.head_seq).where(
            EXPORTS.c.current.is_(True)
        )
        if clinic_id is not None:
            heads = heads.where(EXPORTS.c.clinic_id == clinic_id)
        with _translated("read"), self.engine.connect() as conn, conn.begin():
            # One snapshot for the three reads: an import committing meanwhile is all in
            # or all out.
            conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            # Reactions are few beside the administrations: look each one's case up by
            # primary key rather than hash every administration (the planner cannot know
            # this on tables just loaded, without statistics).
            conn.execute(sa.text("SET LOCAL enable_hashjoin = off"))
            conn.execute(sa.text("SET LOCAL enable_mergejoin = off"))
            s = [
                (str(x[0]), str(x[1]), str(x[2]), str(x[3]), int(x[4]))
                for x in conn.execute(strata)
            ]
            e = [tuple(x) for x in conn.execute(reactions)]
            h = [(str(x[0]), str(x[1]), int(x[2])) for x in conn.execute(heads)]
        return s, e, h


def _copy_file(raw: Any, file: FileCheck) -> None:
    """Stream one CSV file into its table with COPY, hashing it again on the way: a file
    changed since :func:`check_export` is refused (the transaction then rolls back)."""
    columns = COLUMNS[file.name]
    sql = (
        f"COPY {TABLES[file.name]} ({', '.join(columns)}) FROM STDIN "
        "(FORMAT csv, HEADER true, ENCODING 'UTF8')"
    )
    digest = hashlib.sha256()
    psycopg = sys.modules["psycopg"]
    try:
        with raw.cursor() as cur:
            with cur.copy(sql) as copy, file.path.open("rb") as fh:
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
                    copy.write(chunk)
            loaded = cur.rowcount
    except psycopg.Error as exc:
        raise _copy_error(exc, file.name) from None
    except OSError as exc:
        raise _bad(f"{file.name}: cannot be read ({exc.strerror})") from None
    if digest.hexdigest() != file.sha256:
        raise _bad(
            f"{file.name}: changed while it was being imported (its SHA-256 is no longer "
            "the manifest's); nothing was imported"
        )
    if loaded not in (-1, file.rows):
        raise _bad(
            f"{file.name}: {loaded} rows loaded, the manifest says {file.rows}; nothing "
            "was imported"
        )


def _check_joins(conn: Connection, clinic_id: str) -> None:
    """Every reaction belongs to an administration of the same export (administrations
    and cases were paired line by line by :func:`check_export`)."""
    a, r = ADMINISTRATIONS_TABLE, REACTIONS_TABLE
    # The tables were just filled and have no statistics yet: left to itself the planner
    # may loop over a sequential scan (quadratic). Reactions are few beside the
    # administrations: look each one's administration up by primary key.
    for setting in ("enable_hashjoin", "enable_mergejoin", "enable_seqscan"):
        conn.exec_driver_sql(f"SET LOCAL {setting} = off")
    orphan = conn.execute(
        sa.select(sa.literal(1))
        .select_from(r)
        .where(
            r.c.clinic_id == clinic_id,
            ~sa.exists().where(a.c.clinic_id == r.c.clinic_id, a.c.case_key == r.c.case_key),
        )
        .limit(1)
    ).first()
    for setting in ("enable_hashjoin", "enable_mergejoin", "enable_seqscan"):
        conn.exec_driver_sql(f"SET LOCAL {setting} = on")
    if orphan is not None:
        raise _bad(
            "reactions.csv: case_key: a row names a case that administrations.csv does not "
            "hold; nothing was imported"
        )
