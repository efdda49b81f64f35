"""The pooled monthly safety report of a registry: three clinics' exports (written by hand
from the contract) sharing a contaminated lot; what the report states, that it is
reproducible from the exports, and that the clinic report is unchanged by it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import attrs
import pytest

import exointake
from exointake import ValidationError, registry, report
from exointake._pooled import (
    PooledReactionRow,
    StratumCount,
    lot_series_from_rows,
    pooled_lot_series,
    read_exports,
    registry_state_hash,
)
from exointake._pooled_report import PooledSource
from exointake._render import _cid_covers
from exointake._report_wording import load_pooled_wording, load_report_wording
from exointake.cli import main
from exointake.signals import SignalStatus, evaluate

from .registry_files import (
    CLINICS,
    HOT,
    Case,
    clinic_rows,
    pg_schema,
    three_clinics,
    write_cases,
    write_export,
)
from .reportutil import font_sizes, needs_poppler, pdf_text, render_pages

LANGS = ("ja", "en", "ja+en")
MONTH = "2026-11"


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return three_clinics(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def pooled(exports: list[Path]) -> registry.PooledData:
    return registry.PooledData.from_export_dirs(exports)


@pytest.fixture(scope="module")
def rendered(pooled: registry.PooledData) -> dict[str, report.SafetyReport]:
    return {lang: report.pooled_safety_report(pooled, month=MONTH, language=lang) for lang in LANGS}


def _texts(keys: tuple[str, ...], lang: str) -> list[str]:
    wording = load_pooled_wording()
    return [re.sub(r"\s+", "", wording.text(k, exointake.Lang(lang))) for k in keys]


class TestBlankedLots:
    def test_a_blanked_lot_says_so(self, pooled: registry.PooledData) -> None:
        """A lot an export left empty (shared by fewer than k patients) is printed as such
        in the exposure table, not as an empty cell."""
        in_month = {(c.clinic_id, c.case_key) for c in pooled.cases if c.period == MONTH}
        blank = next(a for a in pooled.administrations if (a.clinic_id, a.case_key) in in_month)
        data = attrs.evolve(
            pooled,
            administrations=tuple(
                attrs.evolve(a, lot="") if a is blank else a for a in pooled.administrations
            ),
        )
        for lang in ("ja", "en"):
            text = re.sub(
                r"\s+",
                "",
                pdf_text(report.pooled_safety_report(data, month=MONTH, language=lang).pdf),
            )
            assert _texts(("lot_blanked",), lang)[0] in text


class TestContents:
    @pytest.mark.parametrize("lang", LANGS)
    def test_every_section_and_every_clinic_is_in_the_document(
        self, rendered: dict[str, report.SafetyReport], pooled: registry.PooledData, lang: str
    ) -> None:
        """The seven sections, the exports table, and each clinic id with its manifest
        hash are printed in each language of the report."""
        text = pdf_text(rendered[lang].pdf)
        keys = ("title", "s1", "exports_table", "s2", "s3", "s4", "s5", "s6", "s7", "fig_llr")
        for one in lang.split("+"):
            assert [h for h in _texts(keys, one) if h not in text] == []
        for export in pooled.exports:
            assert export.clinic_id in text
            assert export.manifest_sha256[:32] in text
            assert export.manifest_sha256[32:] in text
        assert sorted(e.clinic_id for e in pooled.exports) == sorted(CLINICS)

    def test_the_registry_state_hash_is_the_hash_of_the_sorted_manifest_hashes(
        self, rendered: dict[str, report.SafetyReport], exports: list[Path]
    ) -> None:
        """The state hash printed (and returned as lock_hash) is SHA-256 over the sorted
        SHA-256s of the manifest files, one per line."""
        hashes = sorted(
            hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
            for folder in exports
        )
        expected = hashlib.sha256("".join(f"{h}\n" for h in hashes).encode()).hexdigest()
        assert registry_state_hash(reversed(hashes)) == expected
        r = rendered["en"]
        assert (r.lock_hash, r.lock_seq) == (expected, 3)
        assert expected in pdf_text(r.pdf)
        assert r.document_sha256 in pdf_text(r.pdf)

    def test_the_data_are_said_to_be_anonymously_processed_with_the_gate_counts(
        self, rendered: dict[str, report.SafetyReport]
    ) -> None:
        """Section 1 states 匿名加工情報 (法43条), k and l, and the exports' gate counts
        summed: 34 to a quarter, 0+3+6 widened bands, 0+1+2 held back, 0+1+2 suppressed in
        0+1+1 groups, 0+1+2 makers blanked."""
        en = pdf_text(rendered["en"].pdf)
        assert "anonymouslyprocessedinformation" in en
        assert "atleast5distinctpatients(k-anonymity)" in en
        assert (
            "morethanonein2ofitspatients(frequencyl-diversity;havinghadnoreactionisnotbounded)"
            in en
        )
        assert (
            "34casesgeneralisedtoaquarter,9caseswithawidenedageband,3heldback,"
            "3casessuppressed(2groups)" in en
        )
        assert "0lots,3makers,0volumes" in en
        ja = pdf_text(rendered["ja"].pdf)
        assert "作成した匿名加工情報（同法第2条第6項）です" in ja

    def test_exposure_counts_every_clinic_and_no_unfinished_quarter(
        self, rendered: dict[str, report.SafetyReport], pooled: registry.PooledData
    ) -> None:
        """November: 90 administrations (30 at each clinic); cumulative: every case but the
        4 of 2026-Q4, which is not over by 30 November (the 30 of 2026-Q3 are in)."""
        assert len(pooled.cases) == 274
        text = pdf_text(rendered["en"].pdf)
        assert "90administrationsintheinterval(270cumulative),7lots." in text
        assert "Thisreportcounts30suchcasescumulativelyandleavesout4whosequarter" in text
        ja = pdf_text(rendered["ja"].pdf)
        assert "この報告書では30症例を累積に数え、四半期がまだ終わっていない4症例は" in ja

    @pytest.mark.parametrize(
        ("month", "interval", "cumulative", "counted", "pending"),
        [
            ("2026-08", 0, 0, 0, 30),  # Q3 not over: clinic 1's Q3 cases wait
            ("2026-09", 60, 90, 30, 0),  # Q3 over on 30 September: counted, not interval
            ("2026-10", 90, 180, 30, 4),  # Q4 holds October and is not over
            ("2026-11", 90, 270, 30, 4),
        ],
    )
    def test_quarter_generalised_cases_count_once_their_quarter_has_ended(
        self,
        pooled: registry.PooledData,
        month: str,
        interval: int,
        cumulative: int,
        counted: int,
        pending: int,
    ) -> None:
        """A YYYY-Qn case counts cumulatively from the report of its quarter's last month
        on, and in no month's interval."""
        first = dt.date.fromisoformat(f"{month}-01")
        source = PooledSource(pooled, since=first, until=first)
        assert sum(e.interval for e in source.exposure) == interval
        assert sum(e.cumulative for e in source.exposure) == cumulative
        assert (source.periods.quarters_counted, source.periods.quarters_pending) == (
            counted,
            pending,
        )
        quarter = {(c.clinic_id, c.case_key) for c in pooled.cases if "Q" in c.period}
        assert not quarter & source.periods.interval

    def test_the_contaminated_lot_signals_pooled_and_at_no_single_clinic(
        self, rendered: dict[str, report.SafetyReport], exports: list[Path]
    ) -> None:
        """The pooled report names the shared lot in its conclusions, with a SIGNAL row;
        each clinic's export alone (3 reactions of the lot) gives no signal."""
        text = pdf_text(rendered["en"].pdf)
        assert f"Lotswithasignalatthedatalockpoint:{HOT}." in text
        assert re.search(r"SIGNAL2026-1[01]-01", text)
        for folder in exports:
            alone = report.pooled_safety_report(read_exports([folder]), month=MONTH, language="en")
            assert "Lotswithasignal" not in pdf_text(alone.pdf)

    def test_the_line_listing_shows_keys_period_and_minutes_not_dates(
        self, rendered: dict[str, report.SafetyReport], pooled: registry.PooledData
    ) -> None:
        """The serious case is listed by clinic id and case key, with its period and
        minutes to onset; no day of the month other than the interval's ends and lock
        appears anywhere (the exports hold none)."""
        (serious,) = [r for r in pooled.reactions if r.serious]
        for lang in LANGS:
            text = pdf_text(rendered[lang].pdf)
            assert serious.case_key[:16] in text
            assert serious.case_key[16:] in text
            days = set(re.findall(r"20[0-9]{2}-[0-9]{2}-[0-9]{2}", text))
            allowed = {"2026-11-30", "2026-12-02", "2025-11-19"}  # + the severity table's
            assert {d for d in days if not d.endswith("-01")} <= allowed
        assert "2026-1112min" in pdf_text(rendered["en"].pdf)
        assert "2026-1112分後" in pdf_text(rendered["ja"].pdf)

    def test_an_export_ending_before_the_month_end_is_marked(
        self, exports: list[Path], tmp_path: Path
    ) -> None:
        """An export that runs through a month before the reporting month is starred, and
        a note says that clinic's administrations of the month are not included."""
        early = write_cases(
            tmp_path / "early",
            CLINICS[0],
            [Case("2026-10", "iv_drip", HOT)],
            through="2026-10",
        )
        data = read_exports([early, *exports[1:]])
        text = pdf_text(report.pooled_safety_report(data, month=MONTH, language="en").pdf)
        assert "2026-10*" in text
        assert "*Theexportrunsthroughamonthbeforethereportingmonth" in text
        assert "monthbeforethereporting" not in pdf_text(
            report.pooled_safety_report(read_exports(exports), month=MONTH, language="en").pdf
        )

    def test_lot_actions_are_said_to_be_outside_the_exports(
        self, rendered: dict[str, report.SafetyReport]
    ) -> None:
        """Section 5.2 does not claim "none recorded": the exports carry no lot actions."""
        text = pdf_text(rendered["en"].pdf)
        assert "Lotactionsarenotpartoftheregistryexports" in text
        assert "Nonerecordedinthelog" not in text


class TestDocument:
    @pytest.mark.parametrize("lang", LANGS)
    def test_the_same_exports_give_the_same_bytes_in_any_order(
        self, rendered: dict[str, report.SafetyReport], exports: list[Path], lang: str
    ) -> None:
        """Rendering again, from the directories in another order, gives the same PDF."""
        again = report.pooled_safety_report(
            read_exports(list(reversed(exports))), month=MONTH, language=lang
        )
        assert again.pdf == rendered[lang].pdf

    @needs_poppler
    @pytest.mark.parametrize("lang", LANGS)
    def test_every_page_renders(
        self, rendered: dict[str, report.SafetyReport], lang: str, tmp_path: Path
    ) -> None:
        """pdftoppm draws every page without a complaint."""
        pngs = render_pages(rendered[lang].pdf, tmp_path)
        assert len(pngs) == rendered[lang].page_count >= 5
        assert all(p.stat().st_size > 1000 for p in pngs)

    @pytest.mark.parametrize("lang", LANGS)
    def test_nothing_is_smaller_than_8_point(
        self, rendered: dict[str, report.SafetyReport], lang: str
    ) -> None:
        """Every font size set anywhere is at least 8 pt."""
        assert min(font_sizes(rendered[lang].pdf)) >= 8.0

    def test_the_pooled_wording_lies_over_the_clinic_wording(self) -> None:
        """The pooled wording is its own file: every key it has replaces the clinic's, the
        rest are the clinic's, and every character has a glyph in the built-in fonts."""
        pooled, clinic = load_pooled_wording(), load_report_wording()
        assert (pooled.id, pooled.base) == ("monthly-safety-pooled", clinic.version)
        assert set(clinic.texts) <= set(pooled.texts)
        bad = {
            (key, ch)
            for key, text in pooled.texts.items()
            for value in (text.ja, text.en)
            for ch in value
            if not _cid_covers(ch)
        }
        assert bad == set()

    def test_the_document_id_names_both_wordings_and_the_registry_state(
        self, rendered: dict[str, report.SafetyReport], pooled: registry.PooledData
    ) -> None:
        """Another set of exports (one clinic fewer) is another document."""
        fewer = registry.PooledData(
            exports=pooled.exports[:2],
            cases=tuple(c for c in pooled.cases if c.clinic_id != pooled.exports[2].clinic_id),
            administrations=tuple(
                a for a in pooled.administrations if a.clinic_id != pooled.exports[2].clinic_id
            ),
            reactions=tuple(
                r for r in pooled.reactions if r.clinic_id != pooled.exports[2].clinic_id
            ),
        )
        other = report.pooled_safety_report(fewer, month=MONTH, language="en")
        assert other.document_sha256 != rendered["en"].document_sha256
        assert other.lock_hash != rendered["en"].lock_hash


class TestLotSeries:
    def test_strata_are_clinic_period_and_route(self, pooled: registry.PooledData) -> None:
        """Each stratum is (first day of the period, "<clinic>/<route>", lot, n); a
        quarter stands at its first month; the counts add up to the cases."""
        series = pooled_lot_series(pooled)
        assert sum(n for *_, n in series.strata) == len(pooled.cases)
        clinic1 = CLINICS[1]
        days = {day for day, route, _, _ in series.strata if route.startswith(clinic1)}
        assert days == {"2026-07-01", "2026-10-01", "2026-11-01"}
        assert {route for _, route, _, _ in series.strata} >= {f"{c}/iv_drip" for c in CLINICS}
        assert series.strata == tuple(sorted(series.strata))
        assert series.given == ()

    def test_reactions_are_numbered_in_period_then_key_order(
        self, pooled: registry.PooledData
    ) -> None:
        """Reactions are recorded at their period's start, sorted by (period start,
        period, case key, reaction key), and those of one period share one position (one
        look of the sequential test), numbered 1, 2, ... by period."""
        series = pooled_lot_series(pooled)
        periods = [(e.day, e.recorded_at) for e in series.reactions]
        firsts = list(dict.fromkeys(periods))
        assert [e.seq for e in series.reactions] == [firsts.index(p) + 1 for p in periods]
        assert len(firsts) > 1  # the fixture spans several periods
        assert [e.day for e in series.reactions] == sorted(e.day for e in series.reactions)
        assert all(e.recorded_at == f"{e.day}T00:00:00Z" for e in series.reactions)
        assert series.head == (3, pooled.state_hash)

    def test_rows_aggregated_elsewhere_give_the_same_series(
        self, pooled: registry.PooledData
    ) -> None:
        """lot_series_from_rows (what a registry feeds from GROUP BY queries) gives the same
        series from per-case counts and reactions in any order."""
        lot_of = {(a.clinic_id, a.case_key): a.lot for a in pooled.administrations}
        case_of = {(c.clinic_id, c.case_key): c for c in pooled.cases}
        counts = [
            StratumCount(c.clinic_id, c.period, c.route, lot_of[(c.clinic_id, c.case_key)], 1)
            for c in reversed(pooled.cases)
        ]
        rows = [
            PooledReactionRow(
                r.clinic_id,
                case_of[(r.clinic_id, r.case_key)].period,
                case_of[(r.clinic_id, r.case_key)].route,
                lot_of[(r.clinic_id, r.case_key)],
                r.case_key,
                r.reaction_key,
                r.category,
                r.serious,
                r.event_kind,
            )
            for r in reversed(pooled.reactions)
        ]
        head = (3, pooled.state_hash)
        assert lot_series_from_rows(head, counts, rows) == pooled_lot_series(pooled)

    def test_evaluate_signals_the_shared_lot_only(self, pooled: registry.PooledData) -> None:
        """exointake.signals.evaluate on the pooled series: the shared lot signals on any
        reaction; no other lot signals."""
        signals = evaluate(pooled_lot_series(pooled)).signals
        assert {r.lot for r in signals} == {HOT}
        assert any(r.outcome.value == "any" for r in signals)
        assert all(r.status is SignalStatus.SIGNAL for r in signals)


class TestReading:
    def test_a_changed_file_is_refused_naming_it(self, exports: list[Path], tmp_path: Path) -> None:
        """A CSV whose bytes are not the manifest's is refused (file named, nothing read)."""
        copy = tmp_path / "x"
        shutil.copytree(exports[0], copy)
        with (copy / "reactions.csv").open("a") as f:
            f.write("extra\n")
        with pytest.raises(ValidationError, match=r"reactions\.csv: its SHA-256"):
            read_exports([copy])

    def test_two_exports_of_one_clinic_are_refused(self, exports: list[Path]) -> None:
        """One current export per clinic: the same clinic twice is an error."""
        with pytest.raises(ValidationError, match=f"clinic {CLINICS[0]} appears twice"):
            read_exports([exports[0], exports[0]])

    def test_a_malformed_period_is_refused_by_row_and_column(self, tmp_path: Path) -> None:
        """A period that is neither YYYY-MM nor YYYY-Qn names its file, row and column."""
        folder = write_cases(tmp_path / "bad", CLINICS[0], [Case("2026-13", "iv_drip", HOT)])
        with pytest.raises(ValidationError, match=r"cases\.csv: line 2: period"):
            read_exports([folder])

    def test_a_manifest_of_another_format_is_refused(
        self, exports: list[Path], tmp_path: Path
    ) -> None:
        """The manifest's format and version are checked before any file."""
        copy = tmp_path / "y"
        shutil.copytree(exports[0], copy)
        manifest = json.loads((copy / "manifest.json").read_text())
        manifest["format_version"] = 2
        text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
        (copy / "manifest.json").write_text(text, "utf-8")
        with pytest.raises(ValidationError, match="format_version: expected 1"):
            read_exports([copy])
        (copy / "manifest.json").write_text(json.dumps(manifest), "utf-8")
        with pytest.raises(ValidationError, match="not in the canonical form"):
            read_exports([copy])

    def test_a_reaction_of_a_case_not_exported_is_refused(self, tmp_path: Path) -> None:
        """Every reaction names a case of its export (the registry refuses the same)."""
        cases, adm, rea = clinic_rows(CLINICS[0], [("2026-11", "iv_drip", HOT, 1)])
        orphan = [{**rea[0], "case_key": "e" * 32}]
        folder = write_export(
            tmp_path / "o", clinic_id=CLINICS[0], cases=cases, administrations=adm, reactions=orphan
        )
        with pytest.raises(ValidationError, match=r"reactions\.csv: line 2: case_key"):
            read_exports([folder])

    def test_a_month_no_export_covers_is_refused(self, pooled: registry.PooledData) -> None:
        """No export runs through January 2027 (they run through December 2026)."""
        with pytest.raises(ValidationError, match="no export runs through 2027-01"):
            report.pooled_safety_report(pooled, month="2027-01")

    def test_repr_shows_no_row(self, pooled: registry.PooledData) -> None:
        """The pooled data's repr gives counts and the state hash, no key."""
        text = repr(pooled)
        assert text.startswith("PooledData(exports=3, cases=274")
        assert not any(c.case_key in text for c in pooled.cases)


class TestCommandLine:
    def test_registry_dir_writes_the_pooled_report(
        self, exports: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``report safety --registry-dir DIR...`` writes the PDF and prints its hash and
        the registry state."""
        out = tmp_path / "pooled.pdf"
        argv = ["report", "safety", "--registry-dir", *map(str, exports)]
        assert main([*argv, "--month", MONTH, "--out", str(out), "--lang", "en"]) == 0
        printed = capsys.readouterr().out
        assert printed.startswith(f"{hashlib.sha256(out.read_bytes()).hexdigest()}  {out}\n")
        assert "3 export(s), registry state" in printed

    def test_registry_without_a_registry_is_a_clear_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``--registry`` needs --db, and says how to preview without a registry; nothing
        is written."""
        out = tmp_path / "r.pdf"
        argv = ["report", "safety", "--registry", "--month", MONTH, "--out", str(out)]
        assert main(argv) == 2
        assert "--db: give the registry's URL" in capsys.readouterr().err
        assert main([*argv, "--db", str(tmp_path / "registry.db")]) == 2
        assert "needs PostgreSQL" in capsys.readouterr().err
        assert not out.exists()

    @pytest.mark.postgres
    def test_the_registry_gives_the_same_pdf_as_the_folders(
        self, exports: list[Path], tmp_path: Path, pg_url: str
    ) -> None:
        """``--registry --db URL`` (the rows read with SQL) and ``--registry-dir`` of the
        same exports write the same PDF, byte for byte, in every language."""
        with pg_schema(pg_url, "pooledpdf") as url:
            assert main(["registry", "import", "--db", url, *map(str, exports)]) == 0
            for lang in LANGS:
                pdfs = []
                for how in (["--registry", "--db", url], ["--registry-dir", *map(str, exports)]):
                    out = tmp_path / f"{lang}-{how[0].strip('-')}.pdf"
                    argv = ["report", "safety", *how, "--month", MONTH, "--out", str(out)]
                    assert main([*argv, "--lang", lang]) == 0
                    pdfs.append(out.read_bytes())
                assert pdfs[0] == pdfs[1]
