"""The registry on a real PostgreSQL: checked, idempotent COPY import; replacement by newer
exports; pooled rates and lot signals across clinics."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exointake import StorageError, ValidationError
from exointake._pooled import period_months, pooled_lot_series, registry_state_hash
from exointake._registry_format import FILE_COLUMNS
from exointake._registry_store import METADATA, TABLES
from exointake.registry import ImportResult, PooledData, PooledRate, open_registry
from exointake.signals import SignalSettings, count_rate, proportion_rate

from .registry_files import (
    clinic_rows,
    manifest_bytes,
    new_clinic,
    pg_schema,
    snapshot,
    write_export,
)

pytestmark = pytest.mark.postgres

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def url(pg_url: str) -> Iterator[str]:
    with pg_schema(pg_url) as scoped:
        yield scoped


def _export(
    folder: Path, clinic: str, admins: list[tuple[str, str, str, int]], **kw: object
) -> Path:
    cases, adm, rea = clinic_rows(clinic, admins)
    return write_export(
        folder,
        clinic_id=clinic,
        cases=cases,
        administrations=adm,
        reactions=rea,
        **kw,  # type: ignore[arg-type]
    )


def period_start(period: str) -> str:
    return period_months(period)[0].isoformat()


SMALL = [("2026-11", "iv_drip", "L1", 1), ("2026-11", "iv_drip", "L2", 0)] * 3


def test_sqlite_is_refused_with_a_clear_error() -> None:
    for url in ("sqlite:///x.db", "registry.db"):
        with pytest.raises(ValidationError, match="needs PostgreSQL"):
            open_registry(url)


def test_the_registry_has_its_own_version_table(url: str) -> None:
    with open_registry(url):
        pass
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        version = conn.exec_driver_sql("SELECT version_num FROM registry_alembic_version").scalar()
        pks = {
            t: sa.inspect(conn).get_pk_constraint(t)["constrained_columns"]
            for t in names
            if t.startswith("registry_") and t != "registry_alembic_version"
        }
    engine.dispose()
    assert "alembic_version" not in names  # the log's record is left alone
    assert version == "0001"
    assert len(pks) == 5
    assert all(cols[0] == "clinic_id" for cols in pks.values()), pks


def test_migrations_make_the_declared_tables(url: str) -> None:
    with open_registry(url):
        pass
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": "registry_alembic_version"})
        diff = compare_metadata(ctx, METADATA)
        checks = {
            c["name"] for t in METADATA.tables for c in sa.inspect(conn).get_check_constraints(t)
        }
    engine.dispose()
    assert diff == []
    declared = {
        c.name
        for t in METADATA.tables.values()
        for c in t.constraints
        if isinstance(c, sa.CheckConstraint)
    }
    assert checks == declared
    assert len(declared) == 3


def test_import_twice_changes_nothing(url: str, tmp_path: Path) -> None:
    key = new_clinic()
    folder = _export(tmp_path / "a", key, SMALL)
    with open_registry(url) as reg:
        first = reg.import_export(folder, now=NOW)
        before = snapshot(url)
        again = reg.import_export(folder, now=NOW + dt.timedelta(days=1))
        assert snapshot(url) == before
        exports = reg.exports()
    assert first.status == "imported"
    assert again.status == "unchanged"
    assert "already imported" in again.message
    assert first.manifest_sha256 == again.manifest_sha256
    assert (first.cases, first.administrations, first.reactions) == (6, 6, 3)
    assert first.clinic_id == key
    assert len(exports) == 1
    assert exports[0].current
    assert exports[0].imported_at == "2026-11-30T12:00:00.000000Z"
    assert isinstance(first, ImportResult)
    assert json.loads(json.dumps(first.to_dict()))["status"] == "imported"


@pytest.mark.parametrize("name", ["cases.csv", "administrations.csv", "reactions.csv"])
def test_a_tampered_csv_is_refused_and_nothing_changes(url: str, tmp_path: Path, name: str) -> None:
    key, other = new_clinic(), new_clinic()
    with open_registry(url) as reg:
        reg.import_export(_export(tmp_path / "a", key, SMALL), now=NOW)
        before = snapshot(url)
        folder = _export(tmp_path / "b", other, SMALL)
        data = bytearray((folder / name).read_bytes())
        data[-2] ^= 0x01  # one byte of the last row
        (folder / name).write_bytes(bytes(data))
        with pytest.raises(ValidationError, match=rf"{name}: its SHA-256 is not the manifest's"):
            reg.import_export(folder, now=NOW)
        assert snapshot(url) == before


def test_a_tampered_manifest_is_refused(url: str, tmp_path: Path) -> None:
    key = new_clinic()
    folder = _export(tmp_path / "a", key, SMALL)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    with open_registry(url) as reg:
        before = snapshot(url)
        # A changed row count, re-serialised canonically: the file's rows disagree.
        manifest["files"]["reactions.csv"]["rows"] = 2
        text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
        (folder / "manifest.json").write_text(text, "utf-8")
        with pytest.raises(
            ValidationError, match=r"reactions.csv: 3 data rows, the manifest says 2"
        ):
            reg.import_export(folder)
        # One byte changed in place: no longer canonical JSON.
        raw = bytearray(text.encode())
        raw[raw.index(b'"region": "13"') + len('"region": ')] = ord(" ")
        (folder / "manifest.json").write_bytes(bytes(raw))
        with pytest.raises(ValidationError, match=r"manifest\.json"):
            reg.import_export(folder)
        # A clinic_id that is not a registry's id, then an old draft manifest (no
        # source.through, the draft's gate keys) or one without a settling period (no or a
        # bad source.settle_days): refused, field named.
        manifest["files"]["reactions.csv"]["rows"] = 3
        for change, message in [
            (lambda m: m.update(clinic_id="../etc"), r"clinic_id: expected an id matching"),
            (lambda m: m["source"].pop("through"), r"source\.through: missing: .*old draft"),
            (lambda m: m["source"].pop("settle_days"), r"source\.settle_days: missing"),
            (
                lambda m: m["source"].update(settle_days=367),
                r"source\.settle_days: expected a whole number of days 0-366",
            ),
            (
                lambda m: m["source"].update(settle_days=True),
                r"source\.settle_days: expected a whole number",
            ),
            (
                lambda m: m["gate"].update(min_distinct_terms_in_group=2),
                r"gate\.min_distinct_terms_in_group: an export of the old draft",
            ),
            (
                lambda m: m["gate"]["suppressed"].update(reactions=0, patients=0),
                r"gate\.suppressed: expected the counts cases, groups",
            ),
            (lambda m: m["gate"].pop("held"), r"gate\.held: an export of the old draft"),
        ]:
            changed = json.loads(json.dumps(manifest))
            change(changed)
            text = json.dumps(changed, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
            (folder / "manifest.json").write_text(text, "utf-8")
            with pytest.raises(ValidationError, match=message):
                reg.import_export(folder)
        assert snapshot(url) == before


def _flip(key: str) -> str:
    """Another key, differing in its first character (whatever that is)."""
    return ("1" if key[0] == "0" else "0") + key[1:]


def test_bad_headers_values_and_orphans_are_refused(url: str, tmp_path: Path) -> None:
    key = new_clinic()
    cases, adm, rea = clinic_rows(key, SMALL)
    with open_registry(url) as reg:
        before = snapshot(url)
        # A header in another order (the manifest re-made to match the bytes).
        folder = write_export(tmp_path / "h", clinic_id=key, cases=cases, administrations=adm)
        data = (
            (folder / "cases.csv")
            .read_bytes()
            .replace(b"case_key,age_band", b"age_band,case_key", 1)
        )
        _rewrite(folder, "cases.csv", data, key)
        with pytest.raises(ValidationError, match=r"cases\.csv: line 1: expected the header"):
            reg.import_export(folder)
        # A value COPY cannot take: named by file, line and column, never quoted.
        bad = [dict(r) for r in adm]
        bad[0]["volume_ml"] = "soon"
        folder = write_export(tmp_path / "v", clinic_id=key, cases=cases, administrations=bad)
        with pytest.raises(
            ValidationError, match=r"administrations.csv: line \d+: column volume_ml"
        ) as exc:
            reg.import_export(folder)
        assert "soon" not in str(exc.value)
        # A route outside the vocabulary (a CHECK constraint).
        bad = [dict(r) for r in cases]
        bad[0]["route"] = "oral"
        folder = write_export(tmp_path / "p", clinic_id=key, cases=bad, administrations=adm)
        with pytest.raises(ValidationError, match=r"administrations\.csv: line \d+: route: not"):
            reg.import_export(folder)
        bad_adm = [dict(r) for r in adm]
        bad_adm[0]["route"] = "oral"
        folder = write_export(tmp_path / "r", clinic_id=key, cases=bad, administrations=bad_adm)
        with pytest.raises(ValidationError, match=r"cases.csv: .*column route"):
            reg.import_export(folder)
        # An administration of a case cases.csv does not hold.
        other = [{**r, "case_key": _flip(str(r["case_key"]))} for r in adm]
        folder = write_export(tmp_path / "c", clinic_id=key, cases=cases, administrations=other)
        with pytest.raises(ValidationError, match=r"administrations\.csv: line 2: case_key"):
            reg.import_export(folder)
        # A reaction of a case the export does not hold.
        orphan = [*rea, {**rea[0], "reaction_key": "f" * 32, "case_key": "e" * 32}]
        folder = write_export(
            tmp_path / "o", clinic_id=key, cases=cases, administrations=adm, reactions=orphan
        )
        with pytest.raises(ValidationError, match=r"reactions\.csv: case_key"):
            reg.import_export(folder)
        # A repeated key.
        twice = [*rea, rea[0]]
        folder = write_export(
            tmp_path / "d", clinic_id=key, cases=cases, administrations=adm, reactions=twice
        )
        with pytest.raises(
            ValidationError, match=r"reactions\.csv: line .*reaction_key must be unique"
        ):
            reg.import_export(folder)
        assert snapshot(url) == before
        assert reg.exports() == ()


def _rewrite(folder: Path, name: str, data: bytes, key: str) -> None:
    (folder / name).write_bytes(data)
    files = {
        n: (folder / n).read_bytes() for n in ("cases.csv", "administrations.csv", "reactions.csv")
    }
    rows = {n: len(d.splitlines()) - 1 for n, d in files.items()}
    (folder / "manifest.json").write_bytes(
        manifest_bytes(files, rows, clinic_id=key, head_seq=1, head_hash="a" * 64, region="13")
    )


def test_a_newer_export_replaces_an_older_is_refused(url: str, tmp_path: Path) -> None:
    key, other = new_clinic(), new_clinic()
    v1 = _export(tmp_path / "v1", key, SMALL, head_seq=10)
    v2 = _export(tmp_path / "v2", key, [*SMALL, ("2026-12", "iv_drip", "L3", 2)], head_seq=20)
    same_head = _export(tmp_path / "v2b", key, SMALL[:2], head_seq=20)
    older = _export(tmp_path / "v0", key, SMALL[:4], head_seq=5)
    with open_registry(url) as reg:
        reg.import_export(_export(tmp_path / "o", other, SMALL), now=NOW)
        first = reg.import_export(v1, now=NOW)
        second = reg.import_export(v2, now=NOW)
        assert second.status == "replaced"
        assert second.replaced == first.manifest_sha256
        after = snapshot(url)
        for refused in (older, same_head):
            with pytest.raises(ValidationError, match="is not newer than the clinic's current"):
                reg.import_export(refused)
        assert snapshot(url) == after
        assert reg.import_export(v1).status == "unchanged"  # already recorded
        exports = {(e.clinic_id, e.head_seq): e.current for e in reg.exports()}
        rates = {r.group["lot"]: r for r in reg.rates(by=("lot",))}
    clinic = key
    assert exports[(clinic, 10)] is False
    assert exports[(clinic, 20)] is True
    # The clinic's rows are v2's only (the other clinic's are untouched): L1 3+3.
    assert rates["L1"].administrations == 6
    assert rates["L3"].administrations == 1
    assert rates["L3"].reactions.events == 2


def test_rates_equal_hand_computed_rates(url: str, tmp_path: Path) -> None:
    a, b = new_clinic(), new_clinic()
    # Clinic A: lot L1 ×4 (reactions 2,0,0,1), lot L2 ×2 (0,0). Clinic B: L1 ×2 (1,0).
    _export(
        tmp_path / "a",
        a,
        [("2026-11", "iv_drip", "L1", n) for n in (2, 0, 0, 1)]
        + [("2026-11", "injection_face", "L2", 0)] * 2,
    )
    _export(tmp_path / "b", b, [("2026-10", "iv_drip", "L1", 1), ("2026-10", "iv_drip", "L1", 0)])
    with open_registry(url) as reg:
        reg.import_export(tmp_path / "a")
        reg.import_export(tmp_path / "b")
        by_lot = reg.rates(by=["lot"])
        by_route_lot = reg.rates(by=("route", "lot"))
        overall = reg.rates(by=())
        with pytest.raises(ValidationError, match=r"by\[0\]: expected one of"):
            reg.rates(by=("clinic",))
    l1 = by_lot[0]
    assert isinstance(l1, PooledRate)
    assert [r.group for r in by_lot] == [{"lot": "L1"}, {"lot": "L2"}]
    # L1: 6 administrations, 3 with a reaction, 4 reactions.
    assert l1.administrations == 6
    assert l1.with_reaction == proportion_rate(3, 6)
    assert l1.reactions == count_rate(4, 6)
    assert l1.reactions.per_1000 == pytest.approx(4000 / 6)
    assert by_lot[1].with_reaction == proportion_rate(0, 2)
    assert [r.group for r in by_route_lot] == [
        {"route": "injection_face", "lot": "L2"},
        {"route": "iv_drip", "lot": "L1"},
    ]
    assert len(overall) == 1
    assert overall[0].reactions == count_rate(4, 8)
    assert json.loads(json.dumps(l1.to_dict()))["group"] == {"lot": "L1"}


def test_pooled_signals_find_what_no_clinic_sees(url: str, tmp_path: Path) -> None:
    """Three clinics, each with three cases after a shared contaminated lot X: the pooled
    registry signals X, while each clinic's series alone does not."""
    keys = [new_clinic() for _ in range(3)]
    with open_registry(url) as reg:
        for i, key in enumerate(keys):
            admins = (
                [("2026-11", "iv_drip", "X", 1)] * 3
                + [("2026-11", "iv_drip", "X", 0)] * 17
                + [("2026-11", "iv_drip", f"C{i}", 0)] * 20
                + [("2026-11", "injection_face", f"F{i}", int(j == 0)) for j in range(10)]
            )
            reg.import_export(_export(tmp_path / f"c{i}", key, admins, head_seq=100 + i))
        pooled = reg.signals()
        alone = [reg.signals(clinic=k) for k in keys]
        series = reg.lot_series()
        exports = reg.exports()
        data = reg.pooled_data()
    # One builder: the registry's SQL-fed series is the pooled view's series.
    assert isinstance(data, PooledData)
    assert series == pooled_lot_series(data)
    hits = {(r.lot, r.outcome.value) for r in pooled.signals}
    assert ("X", "any") in hits
    assert all(report.signals == () for report in alone)
    x_any = next(r for r in pooled.rows if r.lot == "X" and r.outcome.value == "any")
    assert x_any.reactions == 9
    assert x_any.administrations == 60
    # The series as the spec builds it.
    clinic0 = keys[0]
    assert ("2026-11-01", f"{clinic0}/iv_drip", "X", 20) in series.strata
    assert series.given == ()
    assert series.head == (3, registry_state_hash(e.manifest_sha256 for e in exports))
    assert [e.seq for e in series.reactions] == [1] * 12  # one period: one look
    assert all(e.recorded_at == "2026-11-01T00:00:00Z" for e in series.reactions)
    ordered = [(e.day, e.administration_id.split("/")[1], e.entry_id) for e in series.reactions]
    assert ordered == sorted(ordered)


def test_a_quarter_starts_its_first_month() -> None:
    assert period_start("2026-11") == "2026-11-01"
    assert [period_start(f"2026-Q{q}") for q in (1, 2, 3, 4)] == [
        "2026-01-01",
        "2026-04-01",
        "2026-07-01",
        "2026-10-01",
    ]


def test_storage_failures_are_storage_errors() -> None:
    with pytest.raises(StorageError, match="db: "):
        open_registry("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


# ---------------------------------------------------------------------------- property

_ADMIN = st.tuples(
    st.sampled_from(["2026-10", "2026-11", "2026-Q4"]),
    st.sampled_from(["iv_drip", "injection_face", "injection_scalp"]),
    st.sampled_from(["L1", "L2", "ロット３", "L,4"]),
    st.integers(0, 3),
)


def _rates_from_csv(
    folders: list[Path], dims: tuple[str, ...]
) -> dict[tuple[str, ...], tuple[int, int, int]]:
    column = {"product": "origin", "maker": "maker", "lot": "lot", "route": "route"}
    out: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for folder in folders:
        with (folder / "reactions.csv").open(encoding="utf-8", newline="") as fh:
            per_case: dict[str, int] = defaultdict(int)
            for row in csv.DictReader(fh):
                per_case[row["case_key"]] += 1
        with (folder / "administrations.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                key = tuple(row[column[d]] for d in dims)
                n = per_case.get(row["case_key"], 0)
                acc = out[key]
                acc[0] += 1
                acc[1] += n > 0
                acc[2] += n
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    clinics=st.lists(st.lists(_ADMIN, min_size=1, max_size=12), min_size=1, max_size=3),
    dims=st.sampled_from([("lot",), ("route",), ("route", "lot"), ("product", "maker"), ()]),
)
def test_registry_rates_equal_rates_from_the_csv_rows(
    pg_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    clinics: list[list[tuple[str, str, str, int]]],
    dims: tuple[str, ...],
) -> None:
    root = tmp_path_factory.mktemp("prop")
    folders = [_export(root / f"c{i}", new_clinic(), admins) for i, admins in enumerate(clinics)]
    with pg_schema(pg_url, "regprop") as scoped, open_registry(scoped) as reg:
        for folder in folders:
            reg.import_export(folder)
        got = {
            tuple(r.group.values()): (r.administrations, r.with_reaction, r.reactions)
            for r in reg.rates(by=dims)
        }
        strata = reg.lot_series().strata
    # The pooled series' strata (kept at import) are the CSV rows counted directly.
    counted: dict[tuple[str, str, str], int] = defaultdict(int)
    for folder in folders:
        clinic = json.loads((folder / "manifest.json").read_text("utf-8"))["clinic_id"]
        with (folder / "cases.csv").open(encoding="utf-8", newline="") as fh:
            period = {row["case_key"]: row["period"] for row in csv.DictReader(fh)}
        with (folder / "administrations.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                day = period_start(period[row["case_key"]])
                counted[(day, f"{clinic}/{row['route']}", row["lot"])] += 1
    assert strata == tuple(sorted((d, r, lot, n) for (d, r, lot), n in counted.items()))
    expected = _rates_from_csv(folders, dims)
    assert set(got) == set(expected)
    for key, (n, cases, events) in expected.items():
        assert got[key] == (n, proportion_rate(cases, n), count_rate(events, n))


def test_signals_take_settings(url: str, tmp_path: Path) -> None:
    with open_registry(url) as reg:
        reg.import_export(_export(tmp_path / "a", new_clinic(), SMALL))
        report = reg.signals(SignalSettings(outcomes=("serious",)))
    assert {r.outcome.value for r in report.rows} == {"serious"}


def test_a_failed_replacement_keeps_the_clinics_rows(url: str, tmp_path: Path) -> None:
    """A newer export that fails half-way (after the old rows were deleted and some new
    ones copied) rolls back as a whole: the clinic's current export stays."""
    key = new_clinic()
    cases, adm, rea = clinic_rows(key, [*SMALL, ("2026-12", "iv_drip", "L9", 1)])
    orphan = [*rea, {**rea[0], "reaction_key": "f" * 32, "case_key": "e" * 32}]
    with open_registry(url) as reg:
        reg.import_export(_export(tmp_path / "v1", key, SMALL, head_seq=1))
        before = snapshot(url)
        newer = write_export(
            tmp_path / "v2",
            clinic_id=key,
            cases=cases,
            administrations=adm,
            reactions=orphan,
            head_seq=2,
        )
        with pytest.raises(ValidationError, match=r"reactions\.csv: case_key"):
            reg.import_export(newer)
        assert snapshot(url) == before
        assert [e.head_seq for e in reg.exports()] == [1]


def test_the_tables_hold_the_export_columns() -> None:
    """The data tables are ``clinic_id`` and the columns of the format's files, in order
    (no patient pseudonym, no days since a lot's first use)."""
    for name, table in TABLES.items():
        columns = [c.name for c in METADATA.tables[table].columns]
        assert columns == ["clinic_id", *FILE_COLUMNS[name]]


def test_a_period_after_the_month_exported_is_refused(url: str, tmp_path: Path) -> None:
    """A case of a month after ``source.through`` (or of a quarter not over by it) is
    refused by line, before the database is touched."""
    with open_registry(url) as reg:
        for period in ("2026-12", "2026-Q4"):
            folder = _export(
                tmp_path / period, new_clinic(), [(period, "iv_drip", "L1", 0)], through="2026-11"
            )
            with pytest.raises(ValidationError, match=r"cases\.csv: line 2: period: ends after"):
                reg.import_export(folder)
        assert reg.exports() == ()


def test_pooled_data_from_the_registry_equals_the_folders(url: str, tmp_path: Path) -> None:
    """Registry.pooled_data (SQL) equals PooledData.from_export_dirs of the same folders,
    including values not recorded (an empty lot, an onset not recorded)."""
    a, b = new_clinic(), new_clinic()
    cases, adm, rea = clinic_rows(
        a, [("2026-11", "iv_drip", "L1", 2), ("2026-Q3", "iv_drip", "", 1)]
    )
    rea[0]["minutes_to_onset"] = None
    adm[1]["maker"] = None
    folders = [
        write_export(tmp_path / "a", clinic_id=a, cases=cases, administrations=adm, reactions=rea),
        _export(tmp_path / "b", b, SMALL, head_seq=7),
    ]
    with open_registry(url) as reg:
        for folder in folders:
            reg.import_export(folder)
        data = reg.pooled_data()
        one = reg.pooled_data(clinic=b)
        series = reg.lot_series()
    assert data == PooledData.from_export_dirs(folders)
    assert one == PooledData.from_export_dirs(folders[1:])
    assert series == pooled_lot_series(data)
    assert all(lot for _, _, lot, _ in series.strata)  # an empty lot is no lot to test
