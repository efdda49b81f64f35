"""Font loading: a TrueType font given by path is read once per process, not per document."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import exointake
from exointake import ConsentRequest, render_consent
from exointake.consent import FontSpec

from .consent_helpers import example_data

IPAEX_MINCHO = Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")
IPAEX_GOTHIC = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
needs_ipaex = pytest.mark.skipif(
    not (IPAEX_MINCHO.exists() and IPAEX_GOTHIC.exists()), reason="fonts-ipaexfont not installed"
)


@pytest.fixture
def font_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The paths ``FontSpec.from_file`` reads, in order."""
    reads: list[Path] = []
    original = FontSpec.from_file

    def counting(cls: type[FontSpec], path: str | Path, bold: Any = None) -> FontSpec:
        reads.append(Path(path))
        return original(path, bold)

    monkeypatch.setattr(FontSpec, "from_file", classmethod(counting))
    return reads


@needs_ipaex
class TestFontFileLoading:
    def test_same_font_file_is_read_once(self, tmp_path: Path, font_reads: list[Path]) -> None:
        """Rendering several documents with the same font path reads the font once."""
        font = tmp_path / "clinic.ttf"
        shutil.copyfile(IPAEX_MINCHO, font)
        request = ConsentRequest.from_dict(example_data())
        first = render_consent(request, font=font, language="ja")
        again = render_consent(request, font=str(font), language="ja")
        assert again.pdf == first.pdf
        assert font_reads == [font.resolve()]

    def test_replaced_font_file_is_read_again(self, tmp_path: Path, font_reads: list[Path]) -> None:
        """A font file replaced in place (new size and time) is read again, not served stale."""
        font = tmp_path / "clinic.ttf"
        shutil.copyfile(IPAEX_MINCHO, font)
        request = ConsentRequest.from_dict(example_data())
        mincho = render_consent(request, font=font, language="ja")
        shutil.copyfile(IPAEX_GOTHIC, font)
        stat = font.stat()
        os.utime(font, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        gothic = render_consent(request, font=font, language="ja")
        assert len(font_reads) == 2
        assert gothic.pdf != mincho.pdf

    def test_missing_font_file_is_bad_input(self, tmp_path: Path) -> None:
        """A font path that does not exist is a ValidationError naming the font."""
        with pytest.raises(exointake.ValidationError, match="font"):
            render_consent(ConsentRequest.from_dict(example_data()), font=tmp_path / "missing.ttf")
