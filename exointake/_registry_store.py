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
(:func:`exointake._registry_format.check_export`, the one reader of export folders: the
manifest's format and fields, each file's SHA-256, header and row count); then, in one
transaction holding the clinic's advisory lock, the files are streamed with ``COPY …
FROM STDIN (FORMAT csv, HEADER true)`` through psycopg's ``cursor.copy`` — hashed again
while they stream, so a file changed after the check is refused — with ``clinic_id``
filled by the column's default from a ``SET LOCAL``-style setting (no second pass over
the rows). A newer export of a clinic replaces its rows in that same transaction;
anything that fails rolls the whole import back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Final, NamedTuple

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine

from ._convert import unstructure
from ._errors import MigrationRequired, StorageError, ValidationError
from ._log._store import Migrations, parse_url, server_engine, storage_error, translated
from ._registry_format import FILE_COLUMNS, CheckedExport, ExportFile, case_rows

__all__ = [
    "METADATA",
    "VERSION_TABLE",
    "ImportedExport",
    "RegistryStore",
    "count_strata",
    "open_store",
]

VERSION_TABLE: Final = "registry_alembic_version"
"""The registry's migration record (the log's is ``alembic_version``)."""

TABLES: Final[Mapping[str, str]] = {
    "cases.csv": "registry_cases",
    "administrations.csv": "registry_administrations",
    "reactions.csv": "registry_reactions",
}
"""Each export file's table."""

CLINIC_SETTING: Final = "exointake.registry_clinic_id"
"""The transaction setting the data tables' ``clinic_id`` default reads during COPY."""
_MIGRATION_LOCK: Final = 0x6578_6F72  # "exor": advisory lock key while migrating
_IMPORT_LOCK: Final = 0x6578_6F69  # with hashtext(clinic_id): one import per clinic
_CHUNK: Final = 1 << 20

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
TABLES_BY_FILE: Final[Mapping[str, sa.Table]] = {
    name: METADATA.tables[table] for name, table in TABLES.items()
}

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
    parsed = parse_url(url)
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
    return server_engine(parsed, "install exointake[postgres]")


# ---------------------------------------------------------------------------- migrations


MIGRATIONS: Final = Migrations("_registry_migrations", VERSION_TABLE)
"""The registry's migrations."""


def head_revision() -> str:
    """The newest registry migration shipped with this version of exointake."""
    return MIGRATIONS.head()


def known_revisions() -> frozenset[str]:
    """Every registry migration revision shipped with this version of exointake."""
    return MIGRATIONS.known()


def current_revision(conn: Connection) -> str | None:
    """The registry's migration revision in the database, or None without one."""
    return MIGRATIONS.current(conn)


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
            MIGRATIONS.upgrade(conn)
        after = current_revision(conn)
    assert after is not None
    return before, after


# ---------------------------------------------------------------------------- errors


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
    key = FILE_COLUMNS[file][0]
    return ValidationError(
        [f"{where}: " + template.format(column=column or "?", key=key)],
        what="registry export",
    )


# ---------------------------------------------------------------------------- checks


def _bad(errors: Sequence[str] | str) -> ValidationError:
    return ValidationError(errors, what="registry export")


def count_strata(export: CheckedExport) -> dict[tuple[str, str, str], int]:
    """Administrations per (period, route, lot) of an export (lot recorded), from its
    cases and administrations paired line by line
    (:func:`~exointake._registry_format.case_rows`, which refuses a mismatch)."""
    period = FILE_COLUMNS["cases.csv"].index("period")
    route = FILE_COLUMNS["administrations.csv"].index("route")
    lot = FILE_COLUMNS["administrations.csv"].index("lot")
    counts: dict[tuple[str, str, str], int] = {}
    for c, a in case_rows(export):
        if a[lot]:
            key = (c[period], a[route], a[lot])
            counts[key] = counts.get(key, 0) + 1
    return counts


# ---------------------------------------------------------------------------- store


@frozen
class ImportedExport:
    """One export recorded in the registry (:meth:`Registry.exports`)."""

    clinic_id: str
    manifest_sha256: str
    head_seq: int
    head_hash: str
    region: str
    imported_at: str
    """When it was imported: ISO 8601 UTC text."""
    current: bool
    """Its rows are the clinic's rows now (False: replaced by a newer export)."""
    cases: int
    administrations: int
    reactions: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the unstructured form)."""
        return unstructure(self)  # type: ignore[no-any-return]


class LoadOutcome(NamedTuple):
    """What :meth:`RegistryStore.load` did: ``imported``, ``replaced`` or ``unchanged``,
    and the clinic's export it replaced (or the one already imported)."""

    status: str
    previous: ImportedExport | None


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
        with translated("open", chain=False):
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


def _imported(row: Sequence[Any]) -> ImportedExport:
    """An export's row of :data:`_EXPORT_COLUMNS` (the fields' order)."""
    return ImportedExport(*row)


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
        with translated("import into", chain=False), self.engine.connect() as conn, conn.begin():
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:k, hashtext(:c))"),
                {"k": _IMPORT_LOCK, "c": export.clinic_id},
            )
            rows = [
                _imported(r)
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

    def exports(self) -> list[ImportedExport]:
        """Every export imported, by clinic then head."""
        query = sa.select(*_EXPORT_COLUMNS).order_by(
            EXPORTS.c.clinic_id, EXPORTS.c.head_seq, EXPORTS.c.manifest_sha256
        )
        with translated("read", chain=False), self.engine.connect() as conn:
            return [_imported(r) for r in conn.execute(query)]

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
        with translated("read", chain=False), self.engine.connect() as conn:
            return [
                (tuple(row[:k]), int(row[k]), int(row[k + 1]), int(row[k + 2]))
                for row in conn.execute(query)
            ]

    def series_rows(
        self, clinic_id: str | None = None
    ) -> tuple[
        list[tuple[str, str, str, str, int]],
        list[tuple[Any, ...]],
        list[str],
    ]:
        """What a pooled lot series is made of (for one clinic, or all).

        Returns the administrations per ``(clinic_id, period, route, lot, n)``; each
        reaction as ``(clinic_id, period, route, lot, case_key, reaction_key, category,
        serious, event_kind)`` (a :class:`~exointake._pooled.PooledReactionRow`); and the
        current exports' manifest SHA-256s. Administrations without a lot are left out
        (no lot to test).
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
                a.c.route,
                a.c.lot,
                r.c.case_key,
                r.c.reaction_key,
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
        heads = self._current(clinic_id, EXPORTS.c.manifest_sha256)
        with translated("read", chain=False), self.engine.connect() as conn, conn.begin():
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
            h = [str(x[0]) for x in conn.execute(heads)]
        return s, e, h

    @staticmethod
    def _current(clinic_id: str | None, *columns: Any) -> Any:
        query = sa.select(*columns).where(EXPORTS.c.current.is_(True))
        if clinic_id is not None:
            query = query.where(EXPORTS.c.clinic_id == clinic_id)
        return query

    def pooled_rows(
        self, clinic_id: str | None = None
    ) -> tuple[
        list[tuple[str, str, dict[str, Any]]],
        list[tuple[Any, ...]],
        list[tuple[Any, ...]],
        list[tuple[Any, ...]],
    ]:
        """The current exports (for one clinic, or all) and their rows, in one snapshot.

        Returns the exports as ``(clinic_id, manifest_sha256, manifest)``, then the rows of
        ``registry_cases``, ``registry_administrations`` and ``registry_reactions`` with
        ``clinic_id`` first and the export files' columns after it (``volume_ml`` as the
        text it was exported as; NULL for not recorded), in no particular order.
        """
        exports = self._current(
            clinic_id, EXPORTS.c.clinic_id, EXPORTS.c.manifest_sha256, EXPORTS.c.manifest
        )

        def rows(table: sa.Table, name: str) -> Any:
            cols = [
                sa.cast(table.c[col], sa.Text) if col == "volume_ml" else table.c[col]
                for col in FILE_COLUMNS[name]
            ]
            query = sa.select(table.c.clinic_id, *cols)
            if clinic_id is not None:
                query = query.where(table.c.clinic_id == clinic_id)
            return query

        with translated("read", chain=False), self.engine.connect() as conn, conn.begin():
            conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            e = [(str(x[0]), str(x[1]), dict(x[2])) for x in conn.execute(exports)]
            out = [
                [tuple(x) for x in conn.execute(rows(TABLES_BY_FILE[name], name))]
                for name in FILE_COLUMNS
            ]
        return e, out[0], out[1], out[2]


def _copy_file(raw: Any, file: ExportFile) -> None:
    """Stream one CSV file into its table with COPY, hashing it again on the way: a file
    changed since it was checked is refused (the transaction then rolls back)."""
    columns = FILE_COLUMNS[file.name]
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
