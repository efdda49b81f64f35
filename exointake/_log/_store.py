"""Storage of the reaction log: SQLAlchemy tables, the hash chain, transactions, migrations.

The only module of the log that touches SQLAlchemy. The rest of :mod:`exointake._log`
hands it plain rows (a kind, the canonical JSON of the entry's payload, and the query
columns derived from it) and asks for data through named methods of :class:`Store`,
:class:`Reader` (one connection) and :class:`Writer` (one write transaction), getting
plain mappings and tuples back. Driver failures become :class:`StorageError`.

One table, ``log_entries``, holds every entry of a log in chain order (``seq``). Each row
carries the SHA-256 of its canonical JSON envelope and the hash of the previous row, so
:meth:`Store.iter_chain` + :func:`entry_hash` let :meth:`exointake.Log.verify` re-check the
chain from the first entry in constant memory. ``ix_log_entries_serious`` (partial) holds
the reactions graded anaphylaxis or serious. ``log_head`` holds the last ``seq`` and hash
(the row every writer locks, and what detects a deleted tail). ``log_admin_counts`` and
``log_reaction_counts`` hold the number of administrations per day, route, origin and lot
and of reactions per the same keys and category, kept in the same transaction as the
entries, so a rate report over a million administrations reads a few thousand rows.

Writers serialise on the chain head: ``BEGIN IMMEDIATE`` on SQLite (with a busy timeout),
``SELECT … FOR UPDATE`` on the head row on PostgreSQL. A failed or interrupted write rolls
back as a whole, leaving the log exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Final, TypeAlias, cast

import attrs
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool

from .._errors import (
    ExointakeError,
    LogIntegrityError,
    MigrationRequired,
    StorageError,
    ValidationError,
)

__all__ = [
    "CHAIN_COLUMNS",
    "GENESIS_HASH",
    "INFECTION_MARK",
    "LOG_MIGRATIONS",
    "QUERY_COLUMNS",
    "AdminCountRow",
    "Base",
    "EntryRow",
    "HeadRow",
    "Migrations",
    "ReactionCountRow",
    "Reader",
    "RowData",
    "Store",
    "Writer",
    "create_engine_for",
    "driver_errors",
    "entry_hash",
    "migrate_target",
    "open_store",
    "parse_url",
    "server_engine",
    "storage_error",
    "translated",
    "utc_now_text",
]

GENESIS_HASH: Final = "0" * 64
"""The ``prev_hash`` of the first entry of every log."""

BUSY_TIMEOUT_S: Final = 60.0
"""How long a SQLite writer waits for another writer before giving up."""

_PG_MIGRATION_LOCK: Final = 0x6578_6F69  # "exoi": advisory lock key while migrating


SERIOUS_WHERE: Final = "kind = 'reaction' AND (category = 'anaphylaxis' OR serious = true)"
"""Which entries ``ix_log_entries_serious`` holds (its partial-index condition)."""


class Base(DeclarativeBase):
    """Declarative base of the log's tables."""


class EntryRow(Base):
    """One entry of the log (append-only). Query columns are derived from ``payload``."""

    __tablename__ = "log_entries"

    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    entry_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    recorded_at: Mapped[str] = mapped_column(sa.String(32))
    payload: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    entry_hash: Mapped[str] = mapped_column(sa.String(64))
    # -- query columns (derived; verify() re-derives and compares them) ---------------
    root_id: Mapped[str] = mapped_column(sa.String(32))
    amends: Mapped[str | None] = mapped_column(sa.String(32))
    patient_id: Mapped[str | None] = mapped_column(sa.String(64))
    administration_id: Mapped[str | None] = mapped_column(sa.String(32))
    reaction_id: Mapped[str | None] = mapped_column(sa.String(32))
    ref_id: Mapped[str | None] = mapped_column(sa.String(64))
    lot: Mapped[str | None] = mapped_column(sa.String(64))
    route: Mapped[str | None] = mapped_column(sa.String(32))
    origin: Mapped[str | None] = mapped_column(sa.String(32))
    day: Mapped[str | None] = mapped_column(sa.String(10))
    category: Mapped[str | None] = mapped_column(sa.String(16))
    serious: Mapped[bool | None] = mapped_column(sa.Boolean)
    status: Mapped[str | None] = mapped_column(sa.String(16))
    template_id: Mapped[str | None] = mapped_column(sa.String(64))
    template_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.Index("ix_log_entries_root", "root_id", "seq"),
        sa.Index("ix_log_entries_patient", "patient_id", "kind"),
        sa.Index("ix_log_entries_lot", "lot", "kind"),
        sa.Index("ix_log_entries_administration", "administration_id"),
        sa.Index("ix_log_entries_reaction", "reaction_id"),
        sa.Index("ix_log_entries_ref", "ref_id"),
        sa.Index("ix_log_entries_kind_day", "kind", "day"),
        # The reactions graded anaphylaxis or serious (a few percent of them): what
        # Reader.serious_reactions reads. Same text as migration 0003 and the query.
        sa.Index(
            "ix_log_entries_serious",
            "seq",
            sqlite_where=sa.text(SERIOUS_WHERE),
            postgresql_where=sa.text(SERIOUS_WHERE),
        ),
    )


class HeadRow(Base):
    """The chain head: the last ``seq`` and its hash (one row, ``id = 1``)."""

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    entry_hash: Mapped[str] = mapped_column(sa.String(64))


class AdminCountRow(Base):
    """How many (current) administrations per JST day, route, origin and lot."""

    __tablename__ = "log_admin_counts"

    day: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    route: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    origin: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    lot: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    n: Mapped[int] = mapped_column(sa.BigInteger)


class ReactionCountRow(Base):
    """How many (current) reactions per category, by their administration's JST day,
    route, origin and lot."""

    __tablename__ = "log_reaction_counts"

    day: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    route: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    origin: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    lot: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    n: Mapped[int] = mapped_column(sa.BigInteger)


ENTRIES: Final = cast(sa.Table, EntryRow.__table__)
RCOUNTS: Final = cast(sa.Table, ReactionCountRow.__table__)
HEAD: Final = cast(sa.Table, HeadRow.__table__)
COUNTS: Final = cast(sa.Table, AdminCountRow.__table__)

RowData: TypeAlias = Mapping[Any, Any]
"""A fetched row, by column name."""

QUERY_COLUMNS: Final = (
    "root_id",
    "amends",
    "patient_id",
    "administration_id",
    "reaction_id",
    "ref_id",
    "lot",
    "route",
    "origin",
    "day",
    "category",
    "serious",
    "status",
    "template_id",
    "template_sha256",
)
"""The derived columns, in table order."""

HASHED_COLUMNS: Final = ("seq", "entry_id", "kind", "recorded_at", "payload", "prev_hash")


def entry_hash(
    *, seq: int, entry_id: str, kind: str, recorded_at: str, payload: str, prev_hash: str
) -> str:
    """SHA-256 of the entry's canonical JSON envelope.

    The envelope is ``{"entry_id", "kind", "payload", "prev_hash", "recorded_at", "seq"}``
    with sorted keys and no spaces — exactly :func:`exointake._convert.canonical_json` of
    that object, built by concatenation since ``payload`` is already canonical JSON and
    the other strings are ASCII ids that need no escaping.
    """
    envelope = (
        f'{{"entry_id":"{entry_id}","kind":"{kind}","payload":{payload},'
        f'"prev_hash":"{prev_hash}","recorded_at":"{recorded_at}","seq":{seq}}}'
    )
    return hashlib.sha256(envelope.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------- engines


_URL_RE = re.compile(r"^[a-z][a-z0-9+]*://")


def normalise_url(target: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL from a URL or a filesystem path (an SQLite file)."""
    if isinstance(target, os.PathLike):
        return f"sqlite:///{Path(target)}"
    if not isinstance(target, str) or not target:
        raise ValidationError(["db: expected a database URL or a file path"], what="database")
    if _URL_RE.match(target):
        return target
    return f"sqlite:///{target}"


def sqlite_path(target: str | os.PathLike[str]) -> Path | None:
    """The file behind an SQLite target, or None (another database, or in memory)."""
    try:
        parsed = sa.engine.make_url(normalise_url(target))
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def parse_url(url: str) -> sa.URL:
    """``url`` parsed, or a :class:`ValidationError` (never quoting it: it may hold a
    password)."""
    try:
        return sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise ValidationError(["db: not a valid database URL"], what="database") from None


def server_engine(parsed: sa.URL, hint: str) -> Engine:
    """An engine for a database server (not SQLite) at ``parsed``; a driver that cannot
    be loaded is a :class:`ValidationError` naming it, followed by ``hint``."""
    try:
        return sa.create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    except (ImportError, sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise ValidationError(
            [f"db: cannot use {parsed.drivername!r} ({type(exc).__name__}); {hint}"],
            what="database",
        ) from None


def create_engine_for(target: str | os.PathLike[str]) -> Engine:
    """An engine configured for the log.

    SQLite: WAL journal, full sync, a busy timeout, and ``BEGIN IMMEDIATE`` for write
    transactions (so concurrent writers queue instead of failing on upgrade).
    """
    parsed = parse_url(normalise_url(target))
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        kwargs: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT_S}}
        if memory:
            kwargs["poolclass"] = StaticPool
            kwargs["connect_args"]["check_same_thread"] = False
        engine = sa.create_engine(parsed, hide_parameters=True, **kwargs)
        _configure_sqlite(engine, wal=not memory)
        return engine
    engine = server_engine(
        parsed, "for PostgreSQL use postgresql+psycopg://… with exointake[postgres] installed"
    )
    if parsed.get_backend_name() == "postgresql":
        _configure_postgres(engine)
    return engine


def _configure_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # A writer waits for the chain head as long as an SQLite writer would, then
        # fails with lock_not_available ("busy") instead of waiting for ever.
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        finally:
            cur.close()
            dbapi_conn.autocommit = autocommit


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if wal:
            # WAL changes the file's header: only for a new database or one of ours, so a
            # foreign SQLite file we are about to refuse is left exactly as it was.
            tables = {r[0] for r in cur.execute("SELECT name FROM sqlite_master")}
            if not tables or "log_head" in tables:
                cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        # A log of a million entries is a ~1 GB file: give queries and index updates
        # room (32 MiB page cache, reads through a 256 MiB memory map).
        cur.execute("PRAGMA cache_size = -32768")
        cur.execute("PRAGMA mmap_size = 268435456")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("exointake_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


# ---------------------------------------------------------------------------- migrations


@attrs.frozen
class Migrations:
    """A set of Alembic migrations shipped in the package (no alembic.ini): the log's, or
    the registry's, each recorded in its own version table."""

    folder: str
    """The migrations' folder below the exointake package, e.g. ``_log/migrations``."""
    version_table: str = "alembic_version"

    def config(self) -> Any:
        cfg = Config()
        folder = resources.files("exointake").joinpath(*self.folder.split("/"))
        cfg.set_main_option("script_location", str(folder))
        return cfg

    def head(self) -> str:
        """The newest migration shipped with this version of exointake."""
        head = ScriptDirectory.from_config(self.config()).get_current_head()
        assert head is not None
        return str(head)

    def known(self) -> frozenset[str]:
        """Every migration revision shipped with this version of exointake."""
        script = ScriptDirectory.from_config(self.config())
        return frozenset(rev.revision for rev in script.walk_revisions())

    def current(self, conn: Connection) -> str | None:
        """The migration revision recorded in the database, or None without one."""
        context = MigrationContext.configure(conn, opts={"version_table": self.version_table})
        rev = context.get_current_revision()
        return None if rev is None else str(rev)

    def upgrade(self, conn: Connection, revision: str = "head") -> None:
        """Run the migrations up to ``revision`` on ``conn`` (in its transaction)."""
        cfg = self.config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


LOG_MIGRATIONS: Final = Migrations("_log/migrations")
"""The log's migrations (recorded in ``alembic_version``)."""


def head_revision() -> str:
    """The newest migration shipped with this version of exointake."""
    return LOG_MIGRATIONS.head()


def known_revisions() -> frozenset[str]:
    """Every migration revision shipped with this version of exointake."""
    return LOG_MIGRATIONS.known()


def current_revision(conn: Connection) -> str | None:
    """The database's migration revision, or None if it has none."""
    return LOG_MIGRATIONS.current(conn)


LOG_TABLES: Final = frozenset(
    {"alembic_version", "log_entries", "log_head", "log_admin_counts", "log_reaction_counts"}
)
"""The tables the log's migrations make (and ``alembic_version``, their record)."""


def _table_names(conn: Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def _lock_for_migration(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})


def _refuse_foreign(conn: Connection, rev: str | None) -> None:
    """Raise :class:`MigrationRequired` for a database the migrations must not touch:
    one at a revision this exointake does not know, or one holding tables named like
    the log's that no exointake migration made."""
    if rev is not None and rev not in known_revisions():
        raise MigrationRequired(
            f"the database is at revision {rev}, newer than this exointake knows "
            f"(newest {head_revision()}) or another application's; upgrade exointake, "
            "nothing was changed"
        )
    if rev is None:
        ours = sorted((LOG_TABLES - {"alembic_version"}) & _table_names(conn))
        if ours:
            raise MigrationRequired(
                f"the database has a table {ours[0]} that exointake's migrations did not "
                "make (no migration record); nothing was changed"
            )


def migrate(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the database to ``revision`` (default: newest); returns (before, after).

    Refuses (:class:`MigrationRequired`, nothing changed) a database at a revision this
    exointake does not know, or one with tables named like the log's that no exointake
    migration made. Adds the log's tables beside any other tables the database holds.
    """
    with engine.connect().execution_options(exointake_write=True) as conn, conn.begin():
        _lock_for_migration(conn)
        before = current_revision(conn)
        _refuse_foreign(conn, before)
        LOG_MIGRATIONS.upgrade(conn, revision)
        after = current_revision(conn)
    assert after is not None
    return before, after


def check_schema(engine: Engine, *, create: bool) -> None:
    """Raise :class:`MigrationRequired` unless the database is at the newest revision.

    A brand-new database — no tables at all — gets the log's tables when ``create`` is
    true. A database holding other tables is never given ours here (that is
    :func:`migrate`'s job, ``exointake log migrate``), and an existing log is never
    altered.
    """
    head = head_revision()
    with engine.connect() as conn:
        rev = current_revision(conn)
        if rev == head:
            return
        tables = _table_names(conn) if rev is None else set()
    if rev is None and not tables and create:
        with engine.connect().execution_options(exointake_write=True) as conn, conn.begin():
            _lock_for_migration(conn)
            # Another process may have created it while we waited for the lock.
            if current_revision(conn) is None and not _table_names(conn):
                LOG_MIGRATIONS.upgrade(conn)
        check_schema(engine, create=False)
        return
    if rev is None and not tables:
        raise MigrationRequired(
            "the database has no exointake log yet; run `exointake log migrate` to create it"
        )
    if rev is None and not tables & LOG_TABLES:
        raise MigrationRequired(
            "the database holds other tables and no exointake log; exointake adds its "
            "tables to it only when asked: run `exointake log migrate` (migrate_log)"
        )
    if rev is None:
        raise MigrationRequired(
            "the database has log tables but no migration record; it was not made by "
            "exointake's migrations"
        )
    if rev not in known_revisions():
        raise MigrationRequired(
            f"the database is at revision {rev}, newer than this exointake knows "
            f"(newest {head}); upgrade exointake"
        )
    raise MigrationRequired(
        f"the database is at revision {rev}, older than this exointake (needs {head}); "
        "back it up, then run `exointake log migrate`"
    )


# ---------------------------------------------------------------------------- errors


def missing_head() -> LogIntegrityError:
    """The error of a write or read that finds no chain head row."""
    return LogIntegrityError(
        "the log's chain head (table log_head) has no row: the database was altered "
        "outside exointake; run `exointake log verify`"
    )


def driver_errors() -> tuple[type[BaseException], ...]:
    """The exceptions of SQLAlchemy and of the drivers loaded (the hot paths use the
    drivers' cursors directly, whose errors SQLAlchemy does not wrap)."""
    errors: list[type[BaseException]] = [sa.exc.DBAPIError, sqlite3.Error]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors.append(psycopg.Error)
    return tuple(errors)


_SQLITE_REASONS: Final = {
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_READONLY": "read-only",
    "SQLITE_NOTADB": "not a database",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_FULL": "full",
}
_PG_REASONS: Final = {
    "25006": "read-only",  # read_only_sql_transaction
    "55P03": "busy",  # lock_not_available: lock_timeout expired
    "40P01": "busy",  # deadlock_detected
    "42501": "no permission",  # insufficient_privilege
    "53100": "full",  # disk_full
}
_REASON_TEXT: Final = {
    "busy": "the database is busy: another connection held the log longer than the busy "
    "timeout ({timeout:g} s); nothing was written, try again",
    "read-only": "the database is read-only; nothing was written",
    "not a database": "the file is not an SQLite database (nothing was changed)",
    "corrupt": "the database file is corrupt; restore it from a backup",
    "full": "the disk is full; nothing was written",
    "no permission": "the database user may not do this (permission denied); nothing was written",
}
# Errors whose driver text may quote stored values (a date, a name): not chained.
_VALUE_ERRORS: Final = (sa.exc.DataError, sa.exc.IntegrityError)


def storage_error(exc: BaseException, doing: str) -> StorageError:
    """A :class:`StorageError` for a driver failure: what it means when the driver says
    (busy, read-only, not a database…), else the driver's exception class only — never
    its text, which may quote SQL parameters or stored values."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None)
    reason = _SQLITE_REASONS.get(str(code)) or _PG_REASONS.get(str(code))
    if reason is None and isinstance(orig, sqlite3.Error):
        # The error name is the primary code's for extended codes (SQLITE_READONLY_DBMOVED…).
        name = str(code or "")
        reason = next((r for k, r in _SQLITE_REASONS.items() if name.startswith(k)), None)
    if reason is not None:
        return StorageError("db: " + _REASON_TEXT[reason].format(timeout=BUSY_TIMEOUT_S))
    return StorageError(f"db: cannot {doing} the database ({type(orig).__name__})")


@contextmanager
def translated(doing: str, *, chain: bool = True) -> Iterator[None]:
    """Turn a driver failure (or an OSError) inside the block into :func:`storage_error`'s
    :class:`StorageError`; the library's own errors pass through. The driver's exception
    is chained as the cause unless its text may quote stored values (a data or integrity
    error), or never with ``chain=False``."""
    try:
        yield
    except ExointakeError:
        raise  # the library's own refusal (a PermissionError is an OSError too)
    except Exception as exc:
        if not isinstance(exc, (OSError, *driver_errors())):
            raise
        cause = exc if chain and not isinstance(exc, _VALUE_ERRORS) else None
        raise storage_error(exc, doing) from cause


def _create_sqlite_file(target: str | os.PathLike[str]) -> None:
    """Create a new SQLite log file with mode 0600 (it holds patient data) before SQLite
    creates it with the umask's mode; an existing file is left as it is."""
    path = sqlite_path(target)
    if path is None or path.exists() or not path.parent.is_dir():
        return  # a missing folder: SQLite's own error says the database cannot be opened
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it meanwhile
    os.close(fd)


def open_store(target: str | os.PathLike[str], *, create: bool) -> Store:
    """Connect to the log at ``target`` and check its schema (see :func:`check_schema`).

    Raises :class:`ValidationError` for a malformed target, :class:`StorageError` when
    the database cannot be reached or opened, :class:`MigrationRequired` for a schema
    this version cannot use.
    """
    if not create:
        path = sqlite_path(target)
        if path is not None and not path.exists():
            raise MigrationRequired(
                f"no database at {path}; run `exointake log migrate` to create the log"
            )
    engine = create_engine_for(target)
    try:
        with translated("open"):
            if create:
                _create_sqlite_file(target)
            check_schema(engine, create=create)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)


def migrate_target(target: str | os.PathLike[str]) -> tuple[str | None, str]:
    """Create or upgrade the log's schema at ``target``; returns (revision before, after)."""
    engine = create_engine_for(target)
    try:
        with translated("migrate"):
            _create_sqlite_file(target)
            return migrate(engine)
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------- store


def utc_now_text(now: dt.datetime) -> str:
    """The ``recorded_at`` text: ISO 8601 UTC with microseconds and a ``Z``."""
    return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


CHAIN_COLUMNS: Final = (
    "seq",
    "entry_id",
    "kind",
    "recorded_at",
    "payload",
    "prev_hash",
    "entry_hash",
    *QUERY_COLUMNS,
)
"""The columns of :meth:`Store.iter_chain`'s tuples, in this order."""

_CHAIN_ALL: Final = sa.select(*(ENTRIES.c[name] for name in CHAIN_COLUMNS)).order_by(ENTRIES.c.seq)
_CHAIN_SQL: dict[str, str] = {}


class Store:
    """Transactions and named queries on the log's tables, in plain rows."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        """The database backend: ``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    def describe(self) -> str:
        """The database URL without its password (for reprs)."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Writer]:
        """A write transaction holding the chain head; commits on success, else rolls back."""
        with (
            translated("write to"),
            self.engine.connect().execution_options(exointake_write=True) as conn,
            conn.begin(),
        ):
            if conn.dialect.name == "sqlite":
                # The hot path talks to sqlite3 directly inside SQLAlchemy's transaction:
                # same statements, without per-statement Python overhead.
                cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                head = cursor.execute(_SQLITE_HEAD).fetchone()
                if head is None:
                    raise missing_head()
                writer = Writer(conn, int(head[0]), str(head[1]), cursor=cursor)
            else:
                row = conn.execute(_HEAD_FOR_UPDATE).first()
                if row is None:
                    raise missing_head()
                writer = Writer(conn, int(row.seq), str(row.entry_hash))
            yield writer
            writer.flush()

    @contextmanager
    def read(self, *, consistent: bool = False) -> Iterator[Reader]:
        """A read-only connection with the log's named queries.

        ``consistent``: every query sees the same snapshot of the database (PostgreSQL's
        REPEATABLE READ; an SQLite read transaction always does).
        """
        with translated("read"), self.engine.connect() as conn:
            if consistent and conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            yield Reader(conn)

    def head(self) -> tuple[int, str]:
        """The last ``seq`` and its hash."""
        with self.read() as r:
            return r.head()

    @contextmanager
    def snapshot(self) -> Iterator[Reader]:
        """A read transaction that sees one consistent state of the log throughout
        (PostgreSQL: REPEATABLE READ; SQLite: one read transaction), however many
        queries it runs while others append: what :meth:`exointake.Log.verify` reads in."""
        with translated("read"), self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield Reader(conn)

    def iter_chain(self, *, batch: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
        """Every entry in chain order, as pages of tuples in :data:`CHAIN_COLUMNS` order
        (see :meth:`Reader.iter_chain`), from one snapshot."""
        with self.snapshot() as r:
            yield from r.iter_chain(batch=batch)

    def iter_rows(self, *, batch: int = 2000) -> Iterator[RowData]:
        """Every entry row in chain order, by column name (constant memory)."""
        for page in self.iter_chain(batch=batch):
            for row in page:
                yield dict(zip(CHAIN_COLUMNS, row, strict=True))


_NEWER: Final = ENTRIES.alias("newer")


def is_current(alias: Any = None) -> sa.ColumnElement[bool]:
    """SQL condition: the entry (``alias`` of log_entries) has no newer version."""
    e = ENTRIES if alias is None else alias
    return ~sa.exists().where(_NEWER.c.root_id == e.c.root_id, _NEWER.c.seq > e.c.seq)


_COUNT_DIMENSIONS: Final = ("route", "origin", "lot")
ENTRY_COLUMNS: Final = (
    "entry_id",
    "seq",
    "kind",
    "recorded_at",
    "payload",
    "entry_hash",
    "prev_hash",
    "root_id",
)
"""The columns an entry is read back from (:func:`exointake._log._entries.entry_from_row`)."""
_SQLITE_SERIOUS: Final = (
    # The payload as bytes: copied, not decoded, until the entry's record is first read.
    "SELECT entry_id, seq, kind, recorded_at, CAST(payload AS BLOB), entry_hash, prev_hash, "
    "root_id FROM log_entries INDEXED BY ix_log_entries_serious "
    "WHERE kind = 'reaction' AND (category = 'anaphylaxis' OR serious = true) "
    "AND NOT EXISTS (SELECT 1 FROM log_entries AS newer "
    "WHERE newer.root_id = log_entries.root_id AND newer.seq > log_entries.seq) "
    "AND seq > ? ORDER BY seq LIMIT ?"
)
_SQLITE_RECOUNT: Final = sa.text(
    "SELECT a.day, a.route, a.origin, a.lot, r.payload "
    "FROM log_entries AS r CROSS JOIN log_entries AS a INDEXED BY ix_log_entries_root "
    "WHERE a.root_id = r.administration_id AND r.kind = :reaction "
    "AND a.kind = :administration "
    "AND NOT EXISTS (SELECT 1 FROM log_entries AS newer "
    "WHERE newer.root_id = r.root_id AND newer.seq > r.seq) "
    "AND NOT EXISTS (SELECT 1 FROM log_entries AS newer "
    "WHERE newer.root_id = a.root_id AND newer.seq > a.seq)"
)
_ADMIN_COUNTS: Final = "SELECT day, route, origin, lot, n FROM log_admin_counts"
_E = ENTRIES.c
_HOT: Final[Mapping[str, tuple[str, sa.Select[Any]]]] = {
    # SQLite without statistics reads every entry of the kind through the (kind, day)
    # index to find one consent id: INDEXED BY names the ref index.
    "first_by_ref": (
        "SELECT * FROM log_entries INDEXED BY ix_log_entries_ref "
        "WHERE ref_id = :ref AND kind = :kind ORDER BY seq LIMIT 1",
        sa.select(ENTRIES)
        .where(_E.kind == sa.bindparam("kind"), _E.ref_id == sa.bindparam("ref"))
        .order_by(_E.seq)
        .limit(1),
    ),
    "ref_for_patient": (
        "SELECT * FROM log_entries INDEXED BY ix_log_entries_patient "
        "WHERE patient_id = :patient AND kind = :kind AND ref_id = :ref ORDER BY seq LIMIT 1",
        sa.select(ENTRIES)
        .where(
            _E.kind == sa.bindparam("kind"),
            _E.ref_id == sa.bindparam("ref"),
            _E.patient_id == sa.bindparam("patient"),
        )
        .order_by(_E.seq)
        .limit(1),
    ),
    "patient_kind": (
        "SELECT * FROM log_entries INDEXED BY ix_log_entries_patient "
        "WHERE patient_id = :patient AND kind = :kind AND NOT EXISTS (SELECT 1 FROM "
        "log_entries AS newer WHERE newer.root_id = log_entries.root_id AND newer.seq > "
        "log_entries.seq) ORDER BY seq",
        sa.select(ENTRIES)
        .where(
            _E.kind == sa.bindparam("kind"),
            _E.patient_id == sa.bindparam("patient"),
            is_current(),
        )
        .order_by(_E.seq),
    ),
}
"""Reads the safety gate makes for every administration: (SQLite text, statement)."""
_LOT_STRATA: Final = "SELECT day, route, lot, n FROM log_admin_counts WHERE n <> 0"
_SQLITE_AMENDED_SINCE: Final = (
    # "+kind": walk the positions after seq, never every entry of those kinds.
    "SELECT 1 FROM log_entries WHERE seq > ? AND amends IS NOT NULL AND +kind IN (?, ?) LIMIT 1"
)
INFECTION_MARK: Final = '"event_kind":"infection"'
"""How a stored reaction graded as an infection reads in its canonical payload. Inside a JSON
string every quote is escaped (``\\"``), so this text can only be the grade's own key and
value: a substring test finds it without parsing the payload."""
_SQLITE_REACTION_EVENTS: Final = (
    # Each current reaction with its current administration's day, route and lot. As in
    # _SQLITE_RECOUNT: walk the reactions, find each administration by root id.
    "SELECT r.seq, r.entry_id, r.recorded_at, a.day, a.route, a.lot, r.category, "
    "r.serious, instr(r.payload, ?) > 0, r.administration_id "
    "FROM log_entries AS r CROSS JOIN log_entries AS a INDEXED BY ix_log_entries_root "
    "WHERE r.kind = 'reaction' AND a.root_id = r.administration_id "
    "AND a.kind = 'administration' "
    "AND NOT EXISTS (SELECT 1 FROM log_entries AS newer "
    "WHERE newer.root_id = r.root_id AND newer.seq > r.seq) "
    "AND NOT EXISTS (SELECT 1 FROM log_entries AS newer "
    "WHERE newer.root_id = a.root_id AND newer.seq > a.seq) "
    "ORDER BY r.seq"
)
_SQLITE_REACTION_EVENTS_AFTER: Final = _SQLITE_REACTION_EVENTS.replace(
    # The reactions logged after a position: walk the positions ("+kind" keeps SQLite
    # from reading every reaction by kind to find the few new ones).
    "WHERE r.kind = 'reaction'",
    "WHERE r.seq > ? AND +r.kind = 'reaction'",
)

# -- the chain as it stood at a data lock point (the monthly safety report) ----------
# SQLite texts bind ?1 = the lock's seq and ?2 = the last day (sqlite3's numbered
# parameters, read through the driver's cursor); PostgreSQL's bind :lock and :until.


def _locked_reactions_sql(select_grade: str, joins: str, lock: str, until: str) -> str:
    """The locked-reactions query for one dialect. Every part is a constant of this
    module (a column expression, the joins, the two placeholders): no value is spliced."""
    current = (
        "NOT EXISTS (SELECT 1 FROM log_entries AS newer WHERE newer.root_id = {t}.root_id "  # noqa: S608 - constants only
        "AND newer.seq > {t}.seq AND newer.seq <= " + lock + ")"
    )
    head = (
        "SELECT r.root_id, r.entry_id, r.recorded_at, r.patient_id, r.seq, r.day, a.day, "
        "a.route, a.origin, a.lot, r.category, r.serious, r.administration_id, "
    )
    where = (
        " WHERE a.root_id = r.administration_id AND r.kind = 'reaction' AND r.seq <= "
        + lock
        + " AND a.kind = 'administration' AND a.seq <= "
        + lock
        + " AND a.day <= "
        + until
        + " AND "
    )
    return (
        head
        + select_grade
        + " FROM "
        + joins
        + where
        + current.format(t="r")
        + " AND "
        + current.format(t="a")
        + " ORDER BY r.seq"
    )


_SQLITE_LOCKED_REACTIONS: Final = _locked_reactions_sql(
    # One json_extract with several paths parses each payload once (a JSON array back).
    "json_extract(r.payload, '$.grade.event_kind', '$.grade.brighton_level', "
    "'$.grade.ctcae.term', '$.grade.ctcae.grade')",
    "log_entries AS r CROSS JOIN log_entries AS a INDEXED BY ix_log_entries_root",
    "?1",
    "?2",
)
_PG_LOCKED_REACTIONS: Final = sa.text(
    _locked_reactions_sql(
        "json_build_array(g -> 'event_kind', g -> 'brighton_level', g #> '{ctcae,term}', "
        "g #> '{ctcae,grade}')::text",
        "log_entries AS r CROSS JOIN LATERAL (SELECT CAST(r.payload AS json) -> 'grade' AS g) "
        "AS grade_of_r JOIN log_entries AS a ON true",
        ":lock",
        ":until",
    )
)
_SQLITE_EXPOSURE_DAYS: Final = (
    "SELECT day, route, origin, lot, n FROM log_admin_counts WHERE day <= ?1 AND n <> 0 "
    "ORDER BY day, route, origin, lot"
)
_SQLITE_FIRST_PRODUCT: Final = (
    # The lot's index holds (lot, kind) then the rowid: the first row is one seek. Rows are
    # only ever appended, in chain order, so rowid order is seq order (a VACUUM renumbers
    # rowids in the same order); ordering by seq would sort every row of the lot.
    "SELECT json_extract(payload, '$.record.product.maker', '$.record.product.origin', "
    "'$.record.product.sourcing', '$.record.product.concentration') "
    "FROM log_entries INDEXED BY ix_log_entries_lot "
    "WHERE lot = ?1 AND kind = 'administration' AND seq <= ?2 ORDER BY rowid LIMIT 1"
)
_SQLITE_ROOTS_AFTER: Final = (
    # "+kind": the range of the primary key, not every administration of the kind index.
    "SELECT root_id FROM log_entries WHERE seq > ?1 AND +kind = 'administration'"
)


# -- the de-identified registry export (exointake._registry_export) -------------------
# Current versions are kept in Python (the last row of each root in chain order wins):
# one scan of the table, no per-row look-up of a newer version.
_SQLITE_REGISTRY_ADMINISTRATIONS: Final = (
    # "+kind": walk the table in rowid (= chain) order, not the (kind, day) index. The
    # columns a case shares with many others (lot, route, origin, day, maker, sourcing,
    # volume) come as one JSON array text, so Python makes three objects per row, not
    # nine, and works on the few distinct arrays.
    "SELECT root_id, patient_id, json_array(lot, route, origin, day, "
    "json_extract(payload, '$.record.product.maker'), "
    "json_extract(payload, '$.record.product.sourcing'), "
    "json_extract(payload, '$.record.volume_ml')) "
    "FROM log_entries WHERE +kind = 'administration' ORDER BY rowid"
)
_PG_REGISTRY_ADMINISTRATIONS: Final = sa.text(
    "SELECT root_id, patient_id, json_build_array(lot, route, origin, day, "
    "p #>> '{record,product,maker}', p #>> '{record,product,sourcing}', "
    "p #>> '{record,volume_ml}')::text "
    "FROM log_entries CROSS JOIN LATERAL (SELECT CAST(payload AS json) AS p) AS j "
    "WHERE kind = 'administration' ORDER BY seq"
)
_REGISTRY_REACTION_PATHS: Final = (
    "record.onset",
    "record.reaction.symptoms",
    "record.reaction.outcome",
    "record.causality",
    "grade.category",
    "grade.event_kind",
    "grade.ctcae.term",
    "grade.ctcae.meddra_llt",
    "grade.ctcae.grade",
    "grade.brighton_level",
    "grade.serious",
    "grade.seriousness_criteria",
    "grade.vocabulary_version",
    "grade.table_version",
)
"""What the export reads from each reaction's payload, in this order (dotted paths)."""
_SQLITE_REGISTRY_REACTIONS: Final = (
    "SELECT r.root_id, r.administration_id, json_extract(r.payload, "  # noqa: S608 - constants only
    + ", ".join(f"'$.{path}'" for path in _REGISTRY_REACTION_PATHS)
    + "), (SELECT json_extract(a.payload, '$.record.administered_at') FROM log_entries AS a "
    "INDEXED BY ix_log_entries_root WHERE a.root_id = r.administration_id "
    "AND a.kind = 'administration' ORDER BY a.seq DESC LIMIT 1) "
    "FROM log_entries AS r WHERE r.kind = 'reaction' "
    "AND NOT EXISTS (SELECT 1 FROM log_entries AS newer "
    "WHERE newer.root_id = r.root_id AND newer.seq > r.seq) ORDER BY r.seq"
)
_PG_REGISTRY_REACTIONS: Final = sa.text(
    "SELECT r.root_id, r.administration_id, json_build_array("  # noqa: S608 - constants only
    + ", ".join("p #> '{" + path.replace(".", ",") + "}'" for path in _REGISTRY_REACTION_PATHS)
    + ")::text, (SELECT CAST(a.payload AS json) #>> '{record,administered_at}' "
    "FROM log_entries AS a WHERE a.root_id = r.administration_id "
    "AND a.kind = 'administration' ORDER BY a.seq DESC LIMIT 1) "
    "FROM log_entries AS r CROSS JOIN LATERAL (SELECT CAST(r.payload AS json) AS p) AS j "
    "WHERE r.kind = 'reaction' AND NOT EXISTS (SELECT 1 FROM log_entries AS newer "
    "WHERE newer.root_id = r.root_id AND newer.seq > r.seq) ORDER BY r.seq"
)
_SQLITE_REGISTRY_SCREENINGS: Final = (
    "SELECT patient_id, seq, json_extract(payload, '$.record.result.screened_on'), "
    "json_extract(payload, '$.record.answers.answers.birth_date') "
    "FROM log_entries WHERE kind = 'screening' "
    "AND NOT EXISTS (SELECT 1 FROM log_entries AS newer "
    "WHERE newer.root_id = log_entries.root_id AND newer.seq > log_entries.seq) ORDER BY seq"
)
_PG_REGISTRY_SCREENINGS: Final = sa.text(
    "SELECT patient_id, seq, p #>> '{record,result,screened_on}', "
    "p #>> '{record,answers,answers,birth_date}' "
    "FROM log_entries CROSS JOIN LATERAL (SELECT CAST(payload AS json) AS p) AS j "
    "WHERE kind = 'screening' AND NOT EXISTS (SELECT 1 FROM log_entries AS newer "
    "WHERE newer.root_id = log_entries.root_id AND newer.seq > log_entries.seq) ORDER BY seq"
)


class Reader:
    """The log's queries, on one connection (a read, or inside a write transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def head(self) -> tuple[int, str]:
        """The last ``seq`` and its hash; :class:`LogIntegrityError` if the row is gone."""
        head = self.head_or_none()
        if head is None:
            raise missing_head()
        return head

    def iter_chain(self, *, batch: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
        """Every entry in chain order, as pages of tuples in :data:`CHAIN_COLUMNS` order.

        One query streamed in pages of ``batch`` rows through the driver's own cursor
        (server-side on PostgreSQL), so memory stays flat. This is
        :meth:`exointake.Log.verify`'s hot loop; other queries may run on this reader
        between pages.
        """
        dbapi = self.conn.connection.dbapi_connection
        assert dbapi is not None
        dialect = self.conn.dialect
        sql = _CHAIN_SQL.get(dialect.name)
        if sql is None:  # compiled once per dialect: verify's fixed cost stays small
            sql = _CHAIN_SQL[dialect.name] = str(_CHAIN_ALL.compile(dialect=dialect))
        if dialect.name == "postgresql":
            cursor = dbapi.cursor(name="exointake_chain")
            cursor.itersize = batch  # type: ignore[attr-defined]
        else:
            cursor = dbapi.cursor()
        try:
            cursor.execute(sql)
            while True:
                rows = list(cursor.fetchmany(batch))
                if not rows:
                    return
                yield rows
        finally:
            cursor.close()

    def head_or_none(self) -> tuple[int, str] | None:
        """The last ``seq`` and its hash, or None when the head row was deleted."""
        row = self.conn.execute(
            sa.select(HEAD.c.seq, HEAD.c.entry_hash).where(HEAD.c.id == 1)
        ).first()
        return None if row is None else (int(row.seq), str(row.entry_hash))

    def missing_tables(self) -> list[str]:
        """The log's tables that are not in the database (dropped behind its back)."""
        names = _table_names(self.conn)
        return [t.name for t in Base.metadata.sorted_tables if t.name not in names]

    def _select(self, query: sa.Select[Any]) -> Sequence[RowData]:
        return self.conn.execute(query).mappings().all()

    def row_by_id(self, entry_id: str) -> RowData | None:
        """The row of ``entry_id``, or None."""
        return (
            self.conn.execute(sa.select(ENTRIES).where(ENTRIES.c.entry_id == entry_id))
            .mappings()
            .first()
        )

    def versions(self, root_id: str) -> Sequence[RowData]:
        """Every version of an entry (original first), by its root id."""
        return self._select(
            sa.select(ENTRIES).where(ENTRIES.c.root_id == root_id).order_by(ENTRIES.c.seq)
        )

    def current(self, root_id: str) -> RowData | None:
        """The newest version of an entry, by its root id."""
        return (
            self.conn.execute(
                sa.select(ENTRIES)
                .where(ENTRIES.c.root_id == root_id)
                .order_by(ENTRIES.c.seq.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )

    def _hot(self, name: str, params: Mapping[str, Any]) -> list[RowData]:
        """Run one of the :data:`_HOT` reads: on SQLite its SQL text through the driver's
        cursor (the safety gate asks four of them per administration, and SQLAlchemy's
        per-statement work would be most of their cost), else its SQLAlchemy statement."""
        sqlite_sql, statement = _HOT[name]
        if self.conn.dialect.name != "sqlite":
            return list(self.conn.execute(statement, params).mappings())
        dbapi = self.conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            cursor.execute(sqlite_sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def first_by_ref(self, kind: str, ref_id: str) -> RowData | None:
        """The first entry of ``kind`` recorded under ``ref_id`` (a consent or result id)."""
        rows = self._hot("first_by_ref", {"kind": kind, "ref": ref_id})
        return rows[0] if rows else None

    def ref_for_patient(self, kind: str, ref_id: str, patient_id: str) -> RowData | None:
        """The first entry of ``kind`` with ``ref_id`` for ``patient_id``, or None."""
        rows = self._hot("ref_for_patient", {"kind": kind, "ref": ref_id, "patient": patient_id})
        return rows[0] if rows else None

    def has_ref_for_patient(self, kind: str, ref_id: str, patient_id: str) -> bool:
        """True when an entry of ``kind`` with ``ref_id`` exists for ``patient_id``."""
        return self.ref_for_patient(kind, ref_id, patient_id) is not None

    def current_for_patient_of_kind(self, kind: str, patient_id: str) -> Sequence[RowData]:
        """Current versions of a patient's entries of ``kind``, in seq order."""
        return self._hot("patient_kind", {"kind": kind, "patient": patient_id})

    def current_of_kind(
        self, kind: str, *, patient_id: str | None = None, lots: Sequence[str] | None = None
    ) -> Sequence[RowData]:
        """Current versions of ``kind``, optionally of one patient or of some lots (exact
        spellings), in seq order."""
        where = [ENTRIES.c.kind == kind, is_current()]
        if patient_id is not None:
            where.append(ENTRIES.c.patient_id == patient_id)
        if lots is not None:
            where.append(ENTRIES.c.lot.in_(list(lots)))
        return self._select(sa.select(ENTRIES).where(*where).order_by(ENTRIES.c.seq))

    def _page(self, query: sa.Select[Any], after: int, limit: int | None) -> Sequence[RowData]:
        """``query`` (current entries) from chain position ``after`` on, in seq order; at
        most ``limit`` rows (None: all)."""
        query = query.where(ENTRIES.c.seq > after).order_by(ENTRIES.c.seq)
        if limit is not None:
            query = query.limit(limit)
        return self._select(query)

    def patient_page(self, patient_id: str, *, after: int, limit: int | None) -> Sequence[RowData]:
        """Current versions of every entry of a patient after chain position ``after``."""
        query = sa.select(ENTRIES).where(ENTRIES.c.patient_id == patient_id, is_current())
        return self._page(query, after, limit)

    def open_follow_ups(
        self, *, kind: str, open_status: str, after: int, limit: int | None
    ) -> Sequence[RowData]:
        """For each reaction, its latest current follow-up (``kind``) when its status is
        ``open_status``; after chain position ``after``, in seq order."""
        later = ENTRIES.alias("later")
        no_later = ~sa.exists().where(
            later.c.kind == kind,
            later.c.reaction_id == ENTRIES.c.reaction_id,
            later.c.seq > ENTRIES.c.seq,
            is_current(later),
        )
        query = sa.select(ENTRIES).where(
            ENTRIES.c.kind == kind, ENTRIES.c.status == open_status, is_current(), no_later
        )
        return self._page(query, after, limit)

    def administrations_page(
        self,
        *,
        kind: str,
        since: dt.date | None,
        until: dt.date | None,
        lots: Sequence[str] | None,
        physician_id: str | None,
        overridden: bool = False,
        after: int,
        limit: int | None,
    ) -> Sequence[RowData]:
        """Current administrations (``kind``) after chain position ``after``: given from
        ``since`` to ``until`` (JST days, inclusive), of one of ``lots`` (exact spellings),
        by ``physician_id``, let past the safety gate by an override (``overridden``);
        each filter only when given.

        The physician and the override are read from the stored payload (no column holds
        them): narrow such a query on a large log with a period or a lot.
        """
        of_kind: sa.ColumnElement[bool] = ENTRIES.c.kind == kind
        if self.conn.dialect.name == "sqlite":
            # Most entries are administrations: said so, SQLite walks the chain in seq
            # order and stops at the page's end, unless a period or a lot narrows it.
            of_kind = sa.func.likely(of_kind, type_=sa.Boolean)
        where = [of_kind, is_current()]
        if since is not None:
            where.append(ENTRIES.c.day >= since.isoformat())
        if until is not None:
            where.append(ENTRIES.c.day <= until.isoformat())
        if lots is not None:
            where.append(ENTRIES.c.lot.in_(list(lots)))
        if physician_id is not None:
            where.append(self._payload_text("record", "physician_id") == physician_id)
        if overridden:
            where.append(self._payload_text("override", "by").is_not(None))
        return self._page(sa.select(ENTRIES).where(*where), after, limit)

    def _payload_text(self, *path: str) -> sa.ColumnElement[Any]:
        """SQL: the text at ``path`` inside the stored payload (JSON), per dialect."""
        if self.conn.dialect.name == "postgresql":
            return sa.func.jsonb_extract_path_text(
                sa.cast(ENTRIES.c.payload, postgresql.JSONB), *path
            )
        return sa.func.json_extract(ENTRIES.c.payload, "$." + ".".join(path))

    def administered_lots(self) -> list[str]:
        """Every lot (as stored) with at least one current administration, sorted.

        Read from the administration counts: a few thousand rows on a large log.
        """
        c = COUNTS.c
        query = sa.select(c.lot).where(c.n > 0).distinct().order_by(c.lot)
        return [str(lot) for (lot,) in self.conn.execute(query)]

    def current_for_patient(
        self, patient_id: str, *, limit: int | None = None, offset: int = 0
    ) -> Sequence[RowData]:
        """Current versions of every entry of a patient, in seq order (a page of them)."""
        query = (
            sa.select(ENTRIES)
            .where(ENTRIES.c.patient_id == patient_id, is_current())
            .order_by(ENTRIES.c.seq)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return self._select(query)

    def serious_reactions(self, *, after: int = 0, limit: int | None = None) -> list[RowData]:
        """Current reactions graded anaphylaxis or serious after chain position ``after``,
        in seq order (at most ``limit``), with the :data:`ENTRY_COLUMNS` alone (what an
        entry is read back from).

        The condition is written as the partial index's, literally, so both SQLite and
        PostgreSQL plan it on ``ix_log_entries_serious`` (whose key, ``seq``, is also the
        page's key).
        """
        if self.conn.dialect.name == "sqlite":
            # Without ANALYZE statistics SQLite prefers the (kind, day) index; say which.
            # Read through the driver's cursor: thousands of rows, few columns, and the
            # per-row cost of a SQLAlchemy result would be most of the call.
            dbapi = self.conn.connection.dbapi_connection
            assert dbapi is not None
            cursor = dbapi.cursor()
            try:
                rows = cursor.execute(
                    _SQLITE_SERIOUS, (after, -1 if limit is None else limit)
                ).fetchall()
            finally:
                cursor.close()
            return [dict(zip(ENTRY_COLUMNS, row, strict=True)) for row in rows]
        columns = [ENTRIES.c[name] for name in ENTRY_COLUMNS]
        return list(
            self._page(
                sa.select(*columns).where(sa.text(SERIOUS_WHERE), is_current()), after, limit
            )
        )

    def current_reactions_to_lots(
        self, lots: Sequence[str], *, reaction: str, administration: str
    ) -> Sequence[RowData]:
        """Current reactions whose current administration is of one of ``lots`` (exact
        spellings), in seq order."""
        a = ENTRIES.alias("a")
        return self._select(
            sa.select(ENTRIES)
            .select_from(ENTRIES.join(a, a.c.root_id == ENTRIES.c.administration_id))
            .where(
                a.c.lot.in_(list(lots)),
                a.c.kind == administration,
                is_current(a),
                ENTRIES.c.kind == reaction,
                is_current(),
            )
            .order_by(ENTRIES.c.seq)
        )

    def current_reaction_payloads(self, reaction: str, administration_root: str) -> list[str]:
        """The payloads of the current reactions (``reaction`` kind) to an administration."""
        return [
            str(p)
            for (p,) in self.conn.execute(
                sa.select(ENTRIES.c.payload).where(
                    ENTRIES.c.kind == reaction,
                    ENTRIES.c.administration_id == administration_root,
                    is_current(),
                )
            )
        ]

    def rows_of_kind(self, kind: str) -> Iterator[RowData]:
        """Every entry (all versions) of ``kind``, in seq order."""
        query = sa.select(ENTRIES).where(ENTRIES.c.kind == kind).order_by(ENTRIES.c.seq)
        yield from self.conn.execute(query).mappings()

    def count_sums(
        self, since: dt.date | None, until: dt.date | None
    ) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, str, int]]]:
        """Administration and reaction counts over a period, summed per dimension.

        Returns ``[(dimension, value, n)]`` and ``[(dimension, value, category, n)]``;
        one small aggregate per dimension, so the database does the summing.
        """
        c = COUNTS.c
        rc = RCOUNTS.c
        where_c = []
        where_r = []
        if since is not None:
            where_c.append(c.day >= since.isoformat())
            where_r.append(rc.day >= since.isoformat())
        if until is not None:
            where_c.append(c.day <= until.isoformat())
            where_r.append(rc.day <= until.isoformat())
        admins: list[tuple[str, str, int]] = []
        reacts: list[tuple[str, str, str, int]] = []
        for dim in _COUNT_DIMENSIONS:
            col, rcol = c[dim], rc[dim]
            for value, n in self.conn.execute(
                sa.select(col, sa.func.sum(c.n)).where(*where_c).group_by(col)
            ):
                if n:
                    admins.append((dim, str(value), int(n)))
            for value, category, n in self.conn.execute(
                sa.select(rcol, rc.category, sa.func.sum(rc.n))
                .where(*where_r)
                .group_by(rcol, rc.category)
            ):
                if n:
                    reacts.append((dim, str(value), str(category), int(n)))
        return admins, reacts

    # -- the chain as it stood at a data lock point ---------------------------------

    def lock_point(self, recorded_before: str) -> tuple[int, str]:
        """The last entry recorded before ``recorded_before`` (a ``recorded_at`` text, UTC):
        its ``seq`` and hash, or ``(0, GENESIS_HASH)`` when there is none.

        Walks the chain back from its head (the primary key, newest first) and stops at the
        first such entry: the cost is the number of entries recorded since.
        """
        row = self.conn.execute(
            sa.select(ENTRIES.c.seq, ENTRIES.c.entry_hash)
            .where(ENTRIES.c.recorded_at < recorded_before)
            .order_by(ENTRIES.c.seq.desc())
            .limit(1)
        ).first()
        return (0, GENESIS_HASH) if row is None else (int(row.seq), str(row.entry_hash))

    def exposure_days(self, until: dt.date) -> list[tuple[str, str, str, str, int]]:
        """The kept administration counts of the days up to ``until`` (JST, inclusive):
        ``(day, route, origin, lot, n)``, non-zero, sorted — a few rows per day."""
        if self.conn.dialect.name == "sqlite":
            rows: Any = self._driver_rows(_SQLITE_EXPOSURE_DAYS, (until.isoformat(),))
        else:
            c = COUNTS.c
            rows = self.conn.execute(
                sa.select(c.day, c.route, c.origin, c.lot, c.n)
                .where(c.day <= until.isoformat(), c.n != 0)
                .order_by(c.day, c.route, c.origin, c.lot)
            )
        return [
            (str(day), str(route), str(origin), str(lot), int(n))
            for day, route, origin, lot, n in rows
        ]

    def administration_versions_after(self, seq: int) -> list[tuple[str, int, str, str, str, str]]:
        """Every version of each administration with a version after ``seq``:
        ``(root_id, seq, day, route, origin, lot)`` in seq order — what corrects the kept
        counts (which hold the newest versions) back to the chain as it stood at ``seq``.

        The roots come from the entries after ``seq`` (a range of the primary key: few,
        when the lock is recent), their versions from the root index.
        """
        e = ENTRIES.c
        kind = "administration"
        if self.conn.dialect.name == "sqlite":
            found: Any = self._driver_rows(_SQLITE_ROOTS_AFTER, (seq,))
        else:
            found = self.conn.execute(sa.select(e.root_id).where(e.seq > seq, e.kind == kind))
        roots = sorted({str(root) for (root,) in found})
        out: list[tuple[str, int, str, str, str, str]] = []
        for start in range(0, len(roots), 500):
            out += [
                (str(root), int(s), str(day), str(route), str(origin), str(lot))
                for root, s, day, route, origin, lot in self.conn.execute(
                    sa.select(e.root_id, e.seq, e.day, e.route, e.origin, e.lot).where(
                        e.root_id.in_(roots[start : start + 500]), e.kind == kind
                    )
                )
            ]
        return sorted(out, key=lambda row: row[1])

    def first_products(
        self, lots: Sequence[str], *, lock: int
    ) -> dict[str, tuple[str, str, str, str]]:
        """Each lot's product as its first administration at or before ``lock`` records
        it: ``{lot: (maker, origin, sourcing, concentration)}`` (lots with none left out)."""
        out: dict[str, tuple[str, str, str, str]] = {}
        if self.conn.dialect.name == "sqlite":
            for lot in lots:
                rows = self._driver_rows(_SQLITE_FIRST_PRODUCT, (lot, lock))
                if rows:
                    maker, origin, sourcing, concentration = json.loads(rows[0][0])
                    out[lot] = (maker, origin, sourcing, concentration)
            return out
        e = ENTRIES.c
        for lot in lots:
            payload = self.conn.execute(
                sa.select(e.payload)
                .where(e.lot == lot, e.kind == "administration", e.seq <= lock)
                .order_by(e.seq)
                .limit(1)
            ).scalar()
            if payload is not None:
                product = json.loads(payload)["record"]["product"]
                out[lot] = (
                    product["maker"],
                    product["origin"],
                    product["sourcing"],
                    product["concentration"],
                )
        return out

    def locked_reactions(self, *, lock: int, until: dt.date) -> list[tuple[Any, ...]]:
        """The reactions as they stood at ``lock`` whose administration (as it stood then)
        is dated ``until`` or earlier, in seq order: ``(root_id, entry_id, recorded_at,
        patient_id, seq, onset_day, administration_day, route, origin, lot, category,
        serious, administration_id, grade)`` where ``grade`` is the JSON array
        ``[event_kind, brighton_level, ctcae_term, ctcae_grade]``.

        The grade's fields are read by the database (``json_extract`` / ``json``), so the
        payloads never travel to Python.
        """
        if self.conn.dialect.name == "sqlite":
            return self._driver_rows(_SQLITE_LOCKED_REACTIONS, (lock, until.isoformat()))
        params = {"lock": lock, "until": until.isoformat()}
        return [tuple(row) for row in self.conn.execute(_PG_LOCKED_REACTIONS, params)]

    def entry_rows(self, seqs: Sequence[int]) -> list[RowData]:
        """The entries at ``seqs`` with the :data:`ENTRY_COLUMNS` alone, in seq order."""
        columns = [ENTRIES.c[name] for name in ENTRY_COLUMNS]
        out: list[RowData] = []
        ordered = sorted(set(seqs))
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            out += self._select(
                sa.select(*columns).where(ENTRIES.c.seq.in_(chunk)).order_by(ENTRIES.c.seq)
            )
        return out

    def admin_counts(self) -> Iterator[tuple[tuple[str, str, str, str], int]]:
        """The stored administration counts: ((day, route, origin, lot), n).

        Read through the driver's cursor (one row per day, route, origin and lot: thousands
        of rows that :meth:`exointake.Log.verify` compares, each one cheap).
        """
        dbapi = self.conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            cursor.execute(_ADMIN_COUNTS)
            for day, route, origin, lot, n in cursor.fetchall():
                yield (day, route, origin, lot), int(n)
        finally:
            cursor.close()

    def lot_strata(self) -> list[tuple[str, str, str, int]]:
        """Administrations per JST day, route and lot (summed over origins, non-zero),
        sorted: ``[(day, route, lot, n)]`` — a few rows per day, read from the counts.

        Summed here rather than by a GROUP BY, which would sort the whole table again."""
        sums: dict[tuple[str, str, str], int] = {}
        for day, route, lot, n in self._driver_rows(_LOT_STRATA):
            key = (str(day), str(route), str(lot))
            sums[key] = sums.get(key, 0) + int(n)
        return [(*key, n) for key, n in sorted(sums.items()) if n]

    def administration_seqs(
        self, *, administration: str, after: int = 0, lock: int | None = None
    ) -> list[tuple[str, str, str, int]]:
        """The administrations current at ``lock`` (default: now) appended after position
        ``after``: ``(day, route, lot, seq)`` where ``seq`` is the position of the
        administration's first version (when it was logged), in chain order.

        What lot surveillance needs to know how many of each lot a stratum held when a
        reaction was logged; four short columns a row, no payload."""
        a = ENTRIES.alias("a")
        newer = ENTRIES.alias("newer")
        first = ENTRIES.alias("first")
        root_seq = sa.case(
            (a.c.root_id == a.c.entry_id, a.c.seq),
            else_=sa.select(sa.func.min(first.c.seq))
            .where(first.c.root_id == a.c.root_id)
            .scalar_subquery(),
        )
        later = [newer.c.root_id == a.c.root_id, newer.c.seq > a.c.seq]
        bound = [a.c.kind == administration, a.c.seq > after]
        if lock is not None:
            later.append(newer.c.seq <= lock)
            bound.append(a.c.seq <= lock)
        rows = self.conn.execute(
            sa.select(a.c.day, a.c.route, a.c.lot, root_seq)
            .where(*bound, ~sa.exists().where(*later))
            .order_by(a.c.seq)
        )
        return [(str(d), str(r), str(lot), int(s)) for d, r, lot, s in rows]

    def reaction_events(
        self, *, reaction: str, administration: str, after: int = 0
    ) -> list[tuple[int, str, str, str, str, str, str | None, bool, bool, str]]:
        """Every current reaction in chain order (after position ``after``) with its
        current administration's keys: ``(seq, entry_id, recorded_at, day, route, lot,
        category, serious, infection, administration_id)``.

        ``day``, ``route`` and ``lot`` are the administration's (its JST day); ``infection``
        says the stored grade's event kind is an infection (:data:`INFECTION_MARK`).
        """
        if self.conn.dialect.name == "sqlite":
            if after:
                rows: Any = self._driver_rows(
                    _SQLITE_REACTION_EVENTS_AFTER, (INFECTION_MARK, after)
                )
            else:
                rows = self._driver_rows(_SQLITE_REACTION_EVENTS, (INFECTION_MARK,))
        else:
            a = ENTRIES.alias("a")
            r = ENTRIES.alias("r")
            rows = self.conn.execute(
                sa.select(
                    r.c.seq,
                    r.c.entry_id,
                    r.c.recorded_at,
                    a.c.day,
                    a.c.route,
                    a.c.lot,
                    r.c.category,
                    r.c.serious,
                    sa.func.strpos(r.c.payload, INFECTION_MARK) > 0,
                    r.c.administration_id,
                )
                .select_from(r.join(a, a.c.root_id == r.c.administration_id))
                .where(
                    r.c.kind == reaction,
                    a.c.kind == administration,
                    is_current(r),
                    is_current(a),
                    r.c.seq > after,
                )
                .order_by(r.c.seq)
            )
        return [
            (int(seq), eid, at, day, route, lot, cat, bool(serious), bool(inf), str(adm))
            for seq, eid, at, day, route, lot, cat, serious, inf, adm in rows
        ]

    def hash_at(self, seq: int) -> str | None:
        """The entry hash at chain position ``seq``, or None."""
        found = self.conn.execute(
            sa.select(ENTRIES.c.entry_hash).where(ENTRIES.c.seq == seq)
        ).scalar()
        return None if found is None else str(found)

    def amended_since(self, seq: int, kinds: tuple[str, str]) -> bool:
        """True when an entry after position ``seq`` amends an entry of one of ``kinds``
        (an amendment has the kind of what it corrects)."""
        if self.conn.dialect.name == "sqlite":
            return bool(self._driver_rows(_SQLITE_AMENDED_SINCE, (seq, *kinds)))
        return (
            self.conn.execute(
                sa.select(ENTRIES.c.seq)
                .where(
                    ENTRIES.c.seq > seq,
                    ENTRIES.c.amends.is_not(None),
                    ENTRIES.c.kind.in_(list(kinds)),
                )
                .limit(1)
            ).first()
            is not None
        )

    # -- the de-identified registry export -------------------------------------------

    def registry_administrations(self) -> list[tuple[str, str, str]]:
        """Every current administration: ``(root_id, patient_id, profile)`` where
        ``profile`` is the JSON array text ``[lot, route, origin, day, maker, sourcing,
        volume_ml]``, in chain order of their first version.

        One scan of the table; the database reads maker, sourcing and volume out of the
        payload, so no payload travels to Python. Each root's last version in chain order
        is its current one.
        """
        if self.conn.dialect.name == "sqlite":
            rows: list[Any] = self._driver_rows(_SQLITE_REGISTRY_ADMINISTRATIONS)
        else:
            rows = [tuple(row) for row in self.conn.execute(_PG_REGISTRY_ADMINISTRATIONS)]
        if len({row[0] for row in rows}) == len(rows):  # no amended administration
            return rows
        current: dict[str, tuple[str, str, str]] = {}
        for row in rows:
            current[row[0]] = row
        return list(current.values())

    def registry_reactions(self) -> list[tuple[str, str, str, str | None]]:
        """Every current reaction: ``(root_id, administration_root, fields, administered_at)``
        in chain order, where ``fields`` is a JSON array of the payload values at
        :data:`_REGISTRY_REACTION_PATHS` and ``administered_at`` the UTC time of the
        current version of its administration."""
        if self.conn.dialect.name == "sqlite":
            rows: Any = self._driver_rows(_SQLITE_REGISTRY_REACTIONS)
        else:
            rows = self.conn.execute(_PG_REGISTRY_REACTIONS)
        return [(str(a), str(b), str(c), None if d is None else str(d)) for a, b, c, d in rows]

    def registry_screenings(self) -> list[tuple[str, int, str | None, str | None]]:
        """Every current screening: ``(patient_id, seq, screened_on, birth_date)`` in chain
        order (``birth_date`` None when the answers were not kept or hold none)."""
        if self.conn.dialect.name == "sqlite":
            rows: Any = self._driver_rows(_SQLITE_REGISTRY_SCREENINGS)
        else:
            rows = self.conn.execute(_PG_REGISTRY_SCREENINGS)
        return [(str(p), int(s), on, birth) for p, s, on, birth in rows]

    def recorded_at(self, seq: int) -> str | None:
        """The ``recorded_at`` text of the entry at ``seq``, or None."""
        row = self.conn.execute(
            sa.select(ENTRIES.c.recorded_at).where(ENTRIES.c.seq == seq)
        ).first()
        return None if row is None else str(row[0])

    def _driver_rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a fixed SQL text read through the driver's own cursor (many small rows:
        a SQLAlchemy result's per-row cost would be most of the call)."""
        dbapi = self.conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            if params:
                cursor.execute(sql, tuple(params))
            else:
                cursor.execute(sql)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def reaction_counts(self) -> Iterator[tuple[tuple[str, str, str, str, str], int]]:
        """The stored non-zero reaction counts: ((day, route, origin, lot, category), n)."""
        rc = RCOUNTS.c
        for day, route, origin, lot, category, n in self.conn.execute(
            sa.select(rc.day, rc.route, rc.origin, rc.lot, rc.category, rc.n).where(rc.n != 0)
        ):
            yield (day, route, origin, lot, category), int(n)

    def reaction_recount(
        self, *, reaction: str, administration: str, bucket: Callable[[str], str]
    ) -> dict[tuple[str, str, str, str, str], int]:
        """Current reactions counted per their current administration's keys and the bucket
        ``bucket`` reads from each reaction's payload (its category or event kind)."""
        if self.conn.dialect.name == "sqlite":
            # Without statistics SQLite walks every administration and looks for its
            # reactions; a CROSS JOIN makes it walk the (fewer) reactions instead, and
            # INDEXED BY finds each one's administration by root id (not by kind).
            rows: Any = self.conn.execute(
                _SQLITE_RECOUNT, {"reaction": reaction, "administration": administration}
            )
        else:
            a = ENTRIES.alias("a")
            r = ENTRIES.alias("r")
            rows = self.conn.execute(
                sa.select(a.c.day, a.c.route, a.c.origin, a.c.lot, r.c.payload)
                .select_from(r.join(a, a.c.root_id == r.c.administration_id))
                .where(
                    r.c.kind == reaction,
                    a.c.kind == administration,
                    is_current(r),
                    is_current(a),
                )
            )
        out: dict[tuple[str, str, str, str, str], int] = {}
        for day, route, origin, lot, payload in rows:
            key = (day, route, origin, lot, bucket(payload))
            out[key] = out.get(key, 0) + 1
        return out


class Writer(Reader):
    """Appends entries inside one :meth:`Store.write` transaction (and reads in it)."""

    def __init__(self, conn: Connection, seq: int, last_hash: str, *, cursor: Any = None) -> None:
        super().__init__(conn)
        self._cursor = cursor
        self.seq = seq
        self.last_hash = last_hash
        self._rows: list[dict[str, Any]] = []
        self._counts: dict[tuple[str, str, str, str], int] = {}
        self._rcounts: dict[tuple[str, str, str, str, str], int] = {}

    def append(
        self,
        *,
        entry_id: str,
        kind: str,
        recorded_at: str,
        payload: str,
        columns: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Add one entry at the end of the chain (written at :meth:`flush`)."""
        seq = self.seq + 1
        digest = entry_hash(
            seq=seq,
            entry_id=entry_id,
            kind=kind,
            recorded_at=recorded_at,
            payload=payload,
            prev_hash=self.last_hash,
        )
        row = dict.fromkeys(QUERY_COLUMNS)
        row.update(columns)
        row["seq"] = seq
        row["entry_id"] = entry_id
        row["kind"] = kind
        row["recorded_at"] = recorded_at
        row["payload"] = payload
        row["prev_hash"] = self.last_hash
        row["entry_hash"] = digest
        self._rows.append(row)
        self.seq = seq
        self.last_hash = digest
        return row

    def count_reaction(self, key: tuple[str, str, str, str, str], delta: int) -> None:
        """Add ``delta`` reactions to the counts of (day, route, origin, lot, category)."""
        self._rcounts[key] = self._rcounts.get(key, 0) + delta

    def count(self, key: tuple[str, str, str, str], delta: int) -> None:
        """Add ``delta`` administrations to the counts of (day, route, origin, lot)."""
        self._counts[key] = self._counts.get(key, 0) + delta

    def flush(self) -> None:
        """Write the appended rows, the new head and the count changes."""
        if not self._rows:
            return
        cur = self._cursor
        if cur is not None:
            # sqlite3's own executemany with named parameters: the same rows, no per-row
            # processing in Python (SQLite needs none for these column types).
            cur.executemany(_SQLITE_INSERT, self._rows)
            cur.execute(_SQLITE_HEAD_UPDATE, (self.seq, self.last_hash))
            if self._counts:
                cur.executemany(_SQLITE_COUNTS, _count_rows(self._counts))
            if self._rcounts:
                cur.executemany(_SQLITE_RCOUNTS, _rcount_rows(self._rcounts))
        else:
            self.conn.execute(ENTRIES.insert(), self._rows)
            self.conn.execute(_HEAD_UPDATE, {"new_seq": self.seq, "new_hash": self.last_hash})
            rows = _count_rows(self._counts)
            if rows:
                self.conn.execute(_PG_UPSERT, rows)
            rrows = _rcount_rows(self._rcounts)
            if rrows:
                self.conn.execute(_PG_RUPSERT, rrows)
        self._rows = []
        self._counts = {}
        self._rcounts = {}


_HEAD_FOR_UPDATE: Final = (
    sa.select(HEAD.c.seq, HEAD.c.entry_hash).where(HEAD.c.id == 1).with_for_update()
)
_HEAD_UPDATE: Final = (
    HEAD.update()
    .where(HEAD.c.id == 1)
    .values(seq=sa.bindparam("new_seq"), entry_hash=sa.bindparam("new_hash"))
)
_SQLITE_INSERT: Final = str(
    ENTRIES.insert().compile(dialect=sqlite_dialect.dialect(paramstyle="named"))
)
_SQLITE_HEAD: Final = "SELECT seq, entry_hash FROM log_head WHERE id = 1"
_SQLITE_HEAD_UPDATE: Final = "UPDATE log_head SET seq = ?, entry_hash = ? WHERE id = 1"
_SQLITE_COUNTS: Final = (
    "INSERT INTO log_admin_counts (day, route, origin, lot, n) VALUES (:day, :route, :origin, "
    ":lot, :n) ON CONFLICT (day, route, origin, lot) DO UPDATE SET n = n + excluded.n"
)
_SQLITE_RCOUNTS: Final = (
    "INSERT INTO log_reaction_counts (day, route, origin, lot, category, n) VALUES (:day, "
    ":route, :origin, :lot, :category, :n) ON CONFLICT (day, route, origin, lot, category) "
    "DO UPDATE SET n = n + excluded.n"
)
_COUNT_KEYS: Final = ["day", "route", "origin", "lot"]
_pg_rcounts = pg_insert(RCOUNTS)
_PG_RUPSERT: Final = _pg_rcounts.on_conflict_do_update(
    index_elements=[*_COUNT_KEYS, "category"],
    set_={"n": RCOUNTS.c.n + _pg_rcounts.excluded.n},
)
_pg_counts = pg_insert(COUNTS)
_PG_UPSERT: Final = _pg_counts.on_conflict_do_update(
    index_elements=_COUNT_KEYS, set_={"n": COUNTS.c.n + _pg_counts.excluded.n}
)


def _count_rows(counts: Mapping[tuple[str, str, str, str], int]) -> list[dict[str, Any]]:
    return [
        {"day": d, "route": r, "origin": o, "lot": lot, "n": n}
        for (d, r, o, lot), n in sorted(counts.items())
        if n
    ]


def _rcount_rows(counts: Mapping[tuple[str, str, str, str, str], int]) -> list[dict[str, Any]]:
    return [
        {"day": d, "route": r, "origin": o, "lot": lot, "category": c, "n": n}
        for (d, r, o, lot, c), n in sorted(counts.items())
        if n
    ]
