"""``exointake registry``: imports, exports, pooled rates and signals, exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from exointake.cli import main

from .registry_files import clinic_rows, new_clinic, pg_schema, snapshot, write_export


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def url(pg_url: str) -> Iterator[str]:
    with pg_schema(pg_url, "regcli") as scoped:
        yield scoped


def _export(folder: Path, clinic: str, admins: list[tuple[str, str, str, int]], **kw: int) -> Path:
    cases, adm, rea = clinic_rows(clinic, admins)
    return write_export(
        folder, clinic_id=clinic, cases=cases, administrations=adm, reactions=rea, **kw
    )


def test_there_is_no_key_command(capsys: pytest.CaptureFixture[str]) -> None:
    """The export key is one-off, made inside ``export registry``: no ``registry key``."""
    with pytest.raises(SystemExit) as exc:
        main(["registry", "key", "--out", "x.key"])
    assert exc.value.code == 2
    assert "invalid choice: 'key'" in capsys.readouterr().err


def test_a_sqlite_db_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "registry", "exports", "--db", str(tmp_path / "r.db"))
    assert code == 2
    assert "needs PostgreSQL" in err
    assert "Traceback" not in err


@pytest.mark.postgres
def test_import_exports_rates_and_signals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    keys = [new_clinic() for _ in range(3)]
    folders = []
    for i, key in enumerate(keys):
        admins = (
            [("2026-11", "iv_drip", "X", 1)] * 3
            + [("2026-11", "iv_drip", "X", 0)] * 17
            + [("2026-11", "iv_drip", f"C{i}", 0)] * 20
        )
        folders.append(str(_export(tmp_path / f"c{i}", key, admins, head_seq=10 + i)))
    code, out, _ = run(capsys, "registry", "import", "--db", url, *folders)
    assert code == 0
    assert out.count(": imported") == 3
    code, out, _ = run(capsys, "registry", "import", "--db", url, folders[0], "--json")
    assert code == 0
    result = json.loads(out)
    assert result[0]["status"] == "unchanged"
    assert result[0]["clinic_id"] == keys[0]

    code, out, _ = run(capsys, "registry", "exports", "--db", url, "--json")
    assert code == 0
    exports = json.loads(out)
    assert len(exports) == 3
    assert {e["clinic_id"] for e in exports} == set(keys)

    code, out, _ = run(capsys, "registry", "rates", "--db", url, "--by", "lot", "--json")
    assert code == 0
    rates = json.loads(out)
    assert rates["by"] == ["lot"]
    x = next(r for r in rates["rows"] if r["group"] == {"lot": "X"})
    assert x["administrations"] == 60
    assert x["reactions"]["events"] == 9
    # --json is stable: the same bytes again.
    assert run(capsys, "registry", "rates", "--db", url, "--by", "lot", "--json")[1] == out
    code, out, _ = run(
        capsys, "registry", "rates", "--db", url, "--by", "route", "--by", "lot", "--lang", "en"
    )
    assert code == 0
    assert out.splitlines()[0].startswith("route | lot | administrations")
    assert "iv_drip | X | 60 | 150.0 (" in out

    code, out, _ = run(capsys, "registry", "signals", "--db", url, "--json")
    assert code == 0
    report = json.loads(out)
    assert any(r["lot"] == "X" and r["status"] == "signal" for r in report["rows"])
    code, out, _ = run(capsys, "registry", "signals", "--db", url, "--lang", "en", "--signals-only")
    assert code == 0
    assert "X | any reaction | vs other lots | SIGNAL" in out
    # The settings of `signal check`: a Poisson test against an expected rate, fewer outcomes.
    code, out, _ = run(
        capsys, "registry", "signals", "--db", url, "--json",
        "--expected", "any=20", "--outcome", "any", "--alpha", "0.01",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert report["settings"]["expected_per_1000"] == {"any": 20.0}
    assert report["settings"]["alpha"] == 0.01
    assert {r["outcome"] for r in report["rows"]} == {"any"}
    assert {r["method"] for r in report["rows"]} == {"binomial", "poisson"}
    code, _, err = run(capsys, "registry", "signals", "--db", url, "--expected", "any")
    assert code == 2
    assert "--expected[0]: expected OUTCOME=RATE" in err


@pytest.mark.postgres
def test_a_tampered_export_is_exit_2_naming_the_folder_and_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    good = _export(tmp_path / "good", new_clinic(), [("2026-11", "iv_drip", "L1", 1)])
    bad = _export(tmp_path / "bad", new_clinic(), [("2026-11", "iv_drip", "L1", 1)])
    data = bytearray((bad / "reactions.csv").read_bytes())
    data[-3] ^= 0x01
    (bad / "reactions.csv").write_bytes(bytes(data))
    code, _, err = run(capsys, "registry", "import", "--db", url, str(good))
    assert code == 0
    before = snapshot(url)
    code, _, err = run(capsys, "registry", "import", "--db", url, str(bad))
    assert code == 2
    assert f"{bad}: reactions.csv: its SHA-256 is not the manifest's" in err
    assert "Traceback" not in err
    assert snapshot(url) == before
    code, _, err = run(capsys, "registry", "import", "--db", url, str(tmp_path / "missing"))
    assert code == 2
    assert "not a folder" in err
