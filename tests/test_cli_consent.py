"""``exointake consent``: writes the PDF, prints its SHA-256; exit 2 bad input, 3 refused."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest

import exointake
from exointake.cli import main

from .consent_helpers import EXAMPLE_REQUEST, example_data, screening_of


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class TestConsentCommand:
    def test_writes_pdf_and_prints_hash(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """The PDF is written and its SHA-256 printed; a second run gives the same bytes."""
        out_pdf = tmp_path / "consent.pdf"
        code, out, _ = run(
            capsys, "consent", "--request", str(EXAMPLE_REQUEST), "--out", str(out_pdf)
        )
        assert code == 0
        digest = hashlib.sha256(out_pdf.read_bytes()).hexdigest()
        assert out.split()[0] == digest
        again = tmp_path / "again.pdf"
        run(capsys, "consent", "--request", str(EXAMPLE_REQUEST), "--out", str(again))
        assert again.read_bytes() == out_pdf.read_bytes()

    def test_lang_and_summary(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """--lang changes the document; --summary also writes the 概要書面."""
        ja, en, summary = tmp_path / "ja.pdf", tmp_path / "en.pdf", tmp_path / "summary.pdf"
        run(capsys, "consent", "--request", str(EXAMPLE_REQUEST), "--out", str(ja), "--lang", "ja")
        code, out, _ = run(
            capsys,
            "consent",
            "--request",
            str(EXAMPLE_REQUEST),
            "--out",
            str(en),
            "--lang",
            "en",
            "--summary",
            str(summary),
        )
        assert code == 0
        assert ja.read_bytes() != en.read_bytes()
        assert summary.exists()
        assert len(out.splitlines()) == 2

    def test_bad_input_exit_2(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Bad input exits 2 with the field named, and writes nothing."""
        data = example_data()
        data["patient"]["birth_date"] = "1990-02-30"
        request = tmp_path / "bad.json"
        request.write_text(json.dumps(data), "utf-8")
        out_pdf = tmp_path / "x.pdf"
        code, _, err = run(capsys, "consent", "--request", str(request), "--out", str(out_pdf))
        assert code == 2
        assert "request.patient.birth_date" in err
        assert "1990" not in err
        assert not out_pdf.exists()

    def test_not_json_exit_2(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A file that is not JSON exits 2."""
        request = tmp_path / "bad.json"
        request.write_text("{", "utf-8")
        code, _, err = run(
            capsys, "consent", "--request", str(request), "--out", str(tmp_path / "x.pdf")
        )
        assert code == 2
        assert "not valid JSON" in err

    def test_refused_exit_3(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A contraindicated screening without override exits 3 and writes nothing."""
        data = example_data()
        data["screening"] = screening_of("contraindicated.json", "injection_face")
        request = tmp_path / "refused.json"
        request.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        out_pdf = tmp_path / "x.pdf"
        code, _, err = run(capsys, "consent", "--request", str(request), "--out", str(out_pdf))
        assert code == 3
        assert "refused" in err
        assert not out_pdf.exists()

    def test_missing_glyph_exit_2(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A character the font lacks exits 2 naming the field."""
        data = example_data()
        data["clinic"]["name"] = "𠮷田クリニック"
        request = tmp_path / "glyph.json"
        request.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        code, _, err = run(
            capsys, "consent", "--request", str(request), "--out", str(tmp_path / "x.pdf")
        )
        assert code == 2
        assert "clinic.name" in err


class TestOutputsAndRecord:
    """Outputs are written before the consent is recorded; a failure leaves nothing new."""

    def test_unwritable_out_records_nothing(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """An --out that passes the checks but cannot be written: exit 2, nothing recorded,
        no new file (the --summary written before it is removed again)."""
        db = tmp_path / "log.db"
        code, out, err = run(
            capsys,
            *("consent", "--request", str(EXAMPLE_REQUEST), "--db", str(db)),
            *("--summary", str(tmp_path / "summary.pdf"), "--out", "/proc/exointake-x.pdf"),
        )
        assert (code, out) == (2, "")
        assert "--out: /proc/exointake-x.pdf cannot be written" in err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["log.db"]
        with exointake.open_log(db, create=False) as log:
            assert len(log) == 0

    def test_failed_record_removes_the_new_pdfs(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A record the log refuses (the consent id taken by other content) leaves no PDF."""
        db = str(tmp_path / "log.db")
        args = ("consent", "--request", str(EXAMPLE_REQUEST), "--db", db)
        first = tmp_path / "first.pdf"
        assert run(capsys, *args, "--out", str(first), "--rendered-by", "N-1")[0] == 0
        code, out, err = run(
            capsys, *args, "--out", str(tmp_path / "b.pdf"), "--rendered-by", "N-2"
        )
        assert (code, out) == (2, "")
        assert "already recorded" in err
        assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["first.pdf"]
        with exointake.open_log(db, create=False) as log:
            assert len(log) == 1

    def test_force_replaces_only_outputs(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """--force replaces an old PDF whole (mode 0600), and still never the request."""
        out = tmp_path / "consent.pdf"
        out.write_bytes(b"old")
        out.chmod(0o644)
        argv = ("consent", "--request", str(EXAMPLE_REQUEST), "--out", str(out), "--force")
        assert run(capsys, *argv)[0] == 0
        assert out.read_bytes().startswith(b"%PDF")
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        assert [p.name for p in tmp_path.iterdir()] == ["consent.pdf"]  # no temporary left


class TestRenderedConsentWrite:
    """RenderedConsent.write follows the same rules as the command line."""

    def test_rules(self, tmp_path: Path) -> None:
        rendered = exointake.render_consent(exointake.ConsentRequest.from_dict(example_data()))
        path = rendered.write(tmp_path / "c.pdf")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with pytest.raises(exointake.ValidationError, match=r"exists; pass force=True"):
            rendered.write(path)
        assert rendered.write(path, force=True, mode=0o640) == path
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        db = tmp_path / "log.db"
        exointake.open_log(db).close()
        with pytest.raises(exointake.ValidationError, match="is a database"):
            rendered.write(db, force=True)


class TestDemo:
    def test_demo_needs_force_for_old_documents(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A consent PDF left in the folder is named and kept; --force replaces it."""
        old = tmp_path / "consent-P-0002.pdf"
        old.write_bytes(b"old")
        code, out, err = run(capsys, "demo", "--dir", str(tmp_path))
        assert (code, out) == (2, "")
        assert "consent-P-0002.pdf exists; pass --force" in err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["consent-P-0002.pdf"]
        assert run(capsys, "demo", "--dir", str(tmp_path), "--force")[0] == 0
        assert old.read_bytes().startswith(b"%PDF")

    def test_demo_writes_consents(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """The demo writes a consent PDF for each patient the screening allows, none otherwise."""
        code, out, _ = run(capsys, "demo", "--dir", str(tmp_path))
        assert code == 0
        assert "== 3. Consent ==" in out
        assert sorted(p.name for p in tmp_path.glob("consent-*.pdf")) == [
            "consent-P-0001.pdf",
            "consent-P-0002.pdf",
        ]
        digest = hashlib.sha256((tmp_path / "consent-P-0001.pdf").read_bytes()).hexdigest()
        assert digest in out
        assert "P-0003: no consent document, screening contraindicated" in out


IPAEX = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")


@pytest.mark.skipif(not IPAEX.exists(), reason="fonts-ipaexfont not installed")
def test_font_option_embeds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--font embeds the TrueType font: the PDF carries a font file."""
    out_pdf = tmp_path / "consent.pdf"
    code, _, _ = run(
        capsys,
        "consent",
        "--request",
        str(EXAMPLE_REQUEST),
        "--out",
        str(out_pdf),
        "--font",
        str(IPAEX),
    )
    assert code == 0
    assert b"/FontFile2" in out_pdf.read_bytes()


class TestContractOption:
    def test_contract_and_summary_written(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """--contract writes the 契約書面 next to the consent and the 概要書面; hashes printed."""
        paths = {name: tmp_path / f"{name}.pdf" for name in ("consent", "summary", "contract")}
        code, out, _ = run(
            capsys,
            "consent",
            "--request",
            str(EXAMPLE_REQUEST),
            "--out",
            str(paths["consent"]),
            "--summary",
            str(paths["summary"]),
            "--contract",
            str(paths["contract"]),
        )
        assert code == 0
        lines = out.splitlines()
        assert len(lines) == 3
        for line, path in zip(lines, paths.values(), strict=True):
            assert line.split()[0] == hashlib.sha256(path.read_bytes()).hexdigest()

    def test_fee_over_the_cap_exit_2_names_field_and_session(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A fee that can exceed a 49条 cap exits 2 naming the fee and the session; no file."""
        data = example_data()
        data["prices"]["cancellation"]["after_first_session"] = {"kind": "fixed", "jpy": 30_000}
        request = tmp_path / "request.json"
        request.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        out_pdf = tmp_path / "consent.pdf"
        code, _, err = run(
            capsys,
            "consent",
            "--request",
            str(request),
            "--out",
            str(out_pdf),
            "--contract",
            str(tmp_path / "contract.pdf"),
        )
        assert code == 2
        assert "prices.cancellation.after_first_session" in err
        assert "session 4" in err
        assert not out_pdf.exists()

    def test_missing_item_exit_2_names_field(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A 契約書面 without the representative's name exits 2 naming the field."""
        data = example_data()
        del data["clinic"]["representative"]
        request = tmp_path / "request.json"
        request.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        code, _, err = run(
            capsys,
            "consent",
            "--request",
            str(request),
            "--out",
            str(tmp_path / "c.pdf"),
            "--contract",
            str(tmp_path / "contract.pdf"),
        )
        assert code == 2
        assert "clinic.representative" in err
        assert not (tmp_path / "contract.pdf").exists()
