"""A small clinic's log for the monthly safety report's tests, on a clock the test moves."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest
from pypdf import PdfReader

import exointake
from exointake import JST

from .logutil import BYPASS, administration, reaction

MONTH = "2026-11"
RECORDED = dt.datetime(2026, 11, 30, 20, 0, tzinfo=JST)
"""When the sample clinic's entries are recorded: before November's data lock point."""
AFTER_LOCK = dt.datetime(2026, 12, 2, 9, 0, tzinfo=JST)
"""A time after November's data lock point (2026-12-01 00:00 JST)."""
ROUTES = ("iv_drip", "injection_face", "injection_scalp")
SYMPTOMS = (
    ("redness",),
    ("swelling", "pain"),
    ("rash",),
    ("urticaria",),
    ("hypotension", "dyspnea"),
    ("fever",),
    ("syncope",),
)
HOT_LOT = "UC-2026-002"
"""The sample clinic's lot with five times the others' reaction rate."""
NAME = "山田花子"
"""A patient's name, written only in a reaction's free-text note (never to be printed)."""

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed"
)


class Clock:
    """A clock a test sets: ``log``'s recorded_at and its idea of now."""

    def __init__(self, now: dt.datetime = RECORDED) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def clinic(url: str = "sqlite://", *, n: int = 240, lots: int = 4, seed: int = 7) -> exointake.Log:
    """A clinic's log: ``n`` administrations in October and November 2026 over ``lots``
    lots and the three routes, reactions at 5% (lot :data:`HOT_LOT` at 25%), recorded on
    30 November; its clock then stands after November's data lock point."""
    rng = random.Random(seed)
    clock = Clock()
    log = exointake.open_log(url, clock=clock)
    adms = []
    for i in range(n):
        month = 10 if i < n // 3 else 11
        adms.append(
            administration(
                patient_id=f"P-{i:05d}",
                administered_at=f"2026-{month:02d}-{1 + i % 28:02d}T10:00:00+09:00",
                lot=f"UC-2026-{rng.randrange(lots):03d}",
                route=ROUTES[rng.randrange(3)],
            )
        )
    ids = log.administer_many(adms, override=BYPASS)
    named = False
    for adm_id, adm in zip(ids, adms, strict=True):
        if rng.random() < (0.25 if adm.product.lot == HOT_LOT else 0.05):
            symptoms = SYMPTOMS[rng.randrange(len(SYMPTOMS))]
            record = reaction(
                adm_id, *symptoms, onset=adm.administered_at + dt.timedelta(minutes=20)
            )
            if not named:  # free text with a name: stored, never printed
                record = attrs.evolve(record, note=f"{NAME}さん、点滴中に気分不良")
                named = True
            log.record_reaction(record)
    clock.now = AFTER_LOCK
    return log


def clock_of(log: exointake.Log) -> Clock:
    """The test clock a :func:`clinic` log was opened with."""
    clock = log._clock
    assert isinstance(clock, Clock)
    return clock


def pdf_text(pdf: bytes) -> str:
    """Every page's text, without whitespace (CJK lines break anywhere)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def font_sizes(pdf: bytes) -> set[float]:
    """Every font size set on any page (the ``Tf`` operators of the content streams)."""
    reader = PdfReader(io.BytesIO(pdf))
    sizes: set[float] = set()
    for page in reader.pages:
        data = page.get_contents()
        assert data is not None
        text = data.get_data().decode("latin-1")
        sizes |= {float(m) for m in re.findall(r"/\S+\s+([0-9.]+)\s+Tf", text)}
        for xobject in (page.get("/Resources") or {}).get("/XObject", {}).values():
            stream = xobject.get_object().get_data().decode("latin-1")
            sizes |= {float(m) for m in re.findall(r"/\S+\s+([0-9.]+)\s+Tf", stream)}
    return sizes


def render_pages(pdf: bytes, folder: Path) -> list[Path]:
    """Every page as a PNG (pdftoppm, 40 dpi); the files, in page order."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(path), str(folder / "page")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
    return sorted(folder.glob("page-*.png"))
