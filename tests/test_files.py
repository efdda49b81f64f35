"""Output files: nothing existing is replaced without force, never a database or an input."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exointake import ValidationError
from exointake._files import Outputs, is_database_file, write_atomic


def sqlite_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path


class TestOutputs:
    def test_new_file_written_with_mode_0600(self, tmp_path: Path) -> None:
        """A new output holds exactly the bytes and only its owner may read it."""
        out = Outputs().write(tmp_path / "a.pdf", b"%PDF-1.4 x")
        assert out.read_bytes() == b"%PDF-1.4 x"
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]  # no temporary left

    def test_mode_can_be_changed(self, tmp_path: Path) -> None:
        """A clinic may share outputs with a group by choosing the mode."""
        out = Outputs(mode=0o640).write(tmp_path / "a.pdf", b"x")
        assert stat.S_IMODE(out.stat().st_mode) == 0o640

    def test_existing_file_needs_force(self, tmp_path: Path) -> None:
        """An existing file is kept unless force is given, and then replaced whole."""
        path = tmp_path / "a.pdf"
        path.write_bytes(b"old")
        with pytest.raises(ValidationError, match=r"--out: .*a\.pdf exists; pass --force"):
            Outputs().write(path, b"new")
        assert path.read_bytes() == b"old"
        Outputs(force=True).write(path, b"new")
        assert path.read_bytes() == b"new"

    def test_file_written_in_this_run_may_be_rewritten(self, tmp_path: Path) -> None:
        """A run may replace a file it wrote itself."""
        outputs = Outputs()
        outputs.write(tmp_path / "a.pdf", b"1")
        outputs.write(tmp_path / "a.pdf", b"2")
        assert (tmp_path / "a.pdf").read_bytes() == b"2"

    @pytest.mark.parametrize("force", [False, True])
    def test_database_never_replaced(self, tmp_path: Path, force: bool) -> None:
        """An SQLite database (whatever its name) and its -wal file are never written over."""
        db = sqlite_db(tmp_path / "clinic.pdf")
        (tmp_path / "clinic.pdf-wal").write_bytes(b"wal")
        before = db.read_bytes()
        for target in (db, tmp_path / "clinic.pdf-wal"):
            with pytest.raises(ValidationError, match="is a database"):
                Outputs(force=force).write(target, b"%PDF")
        assert db.read_bytes() == before
        assert is_database_file(db)
        assert not is_database_file(tmp_path / "missing.db")

    @pytest.mark.parametrize("force", [False, True])
    def test_input_never_replaced(self, tmp_path: Path, force: bool) -> None:
        """An input of the same run is never written over, even through a symlink."""
        request = tmp_path / "request.json"
        request.write_text("{}", "utf-8")
        link = tmp_path / "link.json"
        link.symlink_to(request)
        for target in (request, link):
            with pytest.raises(ValidationError, match="is an input of this command"):
                Outputs(force=force, inputs=[request]).write(target, b"x")
        assert request.read_text("utf-8") == "{}"

    def test_two_outputs_never_share_a_file(self, tmp_path: Path) -> None:
        """--summary equal to --out is refused before anything is written."""
        outputs = Outputs(force=True)
        outputs.claim(tmp_path / "a.pdf", flag="--out")
        with pytest.raises(ValidationError, match=r"--summary: .* also the --out file"):
            outputs.claim(tmp_path / "." / "a.pdf", flag="--summary")
        assert not (tmp_path / "a.pdf").exists()

    def test_symlink_not_followed(self, tmp_path: Path) -> None:
        """A symbolic link is refused; with force the link itself is replaced, not its target."""
        target = tmp_path / "victim.txt"
        target.write_text("keep", "utf-8")
        link = tmp_path / "out.pdf"
        link.symlink_to(target)
        with pytest.raises(ValidationError, match="symbolic link"):
            Outputs().write(link, b"x")
        Outputs(force=True).write(link, b"x")
        assert target.read_text("utf-8") == "keep"
        assert not link.is_symlink()
        assert link.read_bytes() == b"x"

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            (".", "is a folder"),
            ("missing/a.pdf", "its folder does not exist"),
        ],
    )
    def test_unwritable_paths(self, tmp_path: Path, name: str, message: str) -> None:
        """A folder or a missing folder is a clear error naming the option."""
        with pytest.raises(ValidationError, match=f"--summary: .*{message}"):
            Outputs(force=True).write(tmp_path / name, b"x", flag="--summary")

    def test_proc_is_refused_cleanly(self) -> None:
        """A path the system will not let us create is a ValidationError, not an OSError."""
        if not Path("/proc").is_dir():  # pragma: no cover - Linux test machines have /proc
            pytest.skip("no /proc")
        with pytest.raises(ValidationError, match="--out: /proc/x cannot be written"):
            Outputs().write("/proc/x", b"x")

    @pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
    def test_read_only_folder(self, tmp_path: Path) -> None:
        """A folder without write permission is a clear error and leaves nothing behind."""
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        try:
            with pytest.raises(ValidationError, match="cannot be written"):
                Outputs().write(folder / "a.pdf", b"x")
        finally:
            folder.chmod(0o700)
        assert list(folder.iterdir()) == []

    def test_undo_removes_only_what_this_run_created(self, tmp_path: Path) -> None:
        """undo() deletes new files and keeps replaced ones (their old bytes are gone)."""
        kept = tmp_path / "kept.pdf"
        kept.write_bytes(b"old")
        outputs = Outputs(force=True)
        outputs.write(kept, b"new")
        outputs.write(tmp_path / "new.pdf", b"x")
        assert outputs.undo() == [tmp_path / "new.pdf"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.pdf"]
        assert kept.read_bytes() == b"new"


class TestWriteAtomic:
    def test_interrupted_write_keeps_old_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If the write fails half way the old file is whole and no temporary is left."""
        path = tmp_path / "a.pdf"
        path.write_bytes(b"old")

        def boom(_fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", boom)
        with pytest.raises(OSError, match="No space"):
            write_atomic(path, b"new" * 1000, replace=True)
        assert path.read_bytes() == b"old"
        assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]

    def test_no_replace_loses_a_race(self, tmp_path: Path) -> None:
        """Without replace, a name taken after the check is not clobbered."""
        path = tmp_path / "a.pdf"
        path.write_bytes(b"theirs")
        with pytest.raises(FileExistsError):
            write_atomic(path, b"ours")
        assert path.read_bytes() == b"theirs"

    @settings(max_examples=25, deadline=None)
    @given(data=st.binary(max_size=4096))
    def test_round_trip(self, tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
        """Whatever the bytes, the file holds exactly them."""
        path = tmp_path_factory.mktemp("rt") / "f.bin"
        write_atomic(path, data)
        assert path.read_bytes() == data
