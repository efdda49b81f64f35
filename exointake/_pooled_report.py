"""The pooled monthly safety report of a registry: the clinic report's seven sections,
made from several clinics' exports (:class:`~exointake._pooled.PooledData`).

The sections, tables, charts and signal tests are the clinic report's
(:mod:`exointake._safety_report`); a :class:`PooledSource` supplies what differs: section
1 lists the exports pooled (clinic id and manifest hash only), the registry state hash,
the month each export runs through, what the release gates generalised, held back,
suppressed and blanked, and how quarter-generalised cases are counted; products have no
concentration; the line listing shows clinic id and case key, the period and the minutes
to onset instead of dates and patient ids (an export holds no patient pseudonym).

Periods: a case of ``YYYY-MM`` counts in the interval of its month and cumulatively from
then on; a case generalised to ``YYYY-Qn`` counts cumulatively once the quarter has ended
by the month's last day, and never in an interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from attrs import frozen
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from ._common import JST
from ._consent import ConsentLanguage
from ._convert import describe_type
from ._errors import ValidationError
from ._log._snapshot import ExposureCount
from ._pooled import PooledCase, PooledData, PooledReaction, period_months, pooled_lot_series
from ._render import FontSpec, paragraph, plain_markup
from ._report_wording import load_pooled_wording
from ._safety_report import (
    Content,
    Fact,
    ReportArgs,
    SafetyReport,
    count_text,
    render_report,
)
from ._signals import SignalSettings

__all__ = ["PooledSource", "pooled_safety_report"]

_SERIOUS_ROW: Final = "anaphylaxis"


@frozen
class _PooledFact:
    """A pooled reaction as the report counts it."""

    reaction: PooledReaction
    case: PooledCase
    lot: str
    in_interval: bool

    @property
    def reaction_id(self) -> str:
        return f"{self.reaction.clinic_id}/{self.reaction.reaction_key}"

    @property
    def administration_id(self) -> str:
        return f"{self.case.clinic_id}/{self.case.case_key}"

    @property
    def route(self) -> str:
        return self.case.route

    @property
    def category(self) -> str | None:
        return self.reaction.category

    @property
    def serious(self) -> bool:
        return self.reaction.serious

    @property
    def event_kind(self) -> str:
        return self.reaction.event_kind

    @property
    def brighton_level(self) -> int | None:
        return self.reaction.brighton_level

    @property
    def ctcae_term(self) -> str | None:
        return self.reaction.ctcae_term

    @property
    def ctcae_grade(self) -> int | None:
        return self.reaction.ctcae_grade

    @property
    def listed(self) -> bool:
        return self.serious or self.category == _SERIOUS_ROW


@frozen
class _Periods:
    """How the cases of a month's report are counted."""

    cumulative: frozenset[tuple[str, str]]
    """(clinic id, case key) of every case counted cumulatively."""
    interval: frozenset[tuple[str, str]]
    quarters_counted: int
    """Quarter-generalised cases in the cumulative figures (their quarter has ended)."""
    quarters_pending: int
    """Quarter-generalised cases of a quarter holding the month, not ended by its end."""


def _periods(data: PooledData, since: dt.date) -> _Periods:
    month = f"{since:%Y-%m}"
    cumulative, interval = set(), set()
    counted = pending = 0
    for c in data.cases:
        first, last = period_months(c.period)
        quarter = first != last
        if last <= since:
            cumulative.add((c.clinic_id, c.case_key))
            counted += quarter
            if c.period == month:
                interval.add((c.clinic_id, c.case_key))
        elif quarter and first <= since:
            pending += 1
    return _Periods(frozenset(cumulative), frozenset(interval), counted, pending)


class PooledSource:
    """A registry's exports as the report reads them for one month (see the module)."""

    def __init__(self, data: PooledData, *, since: dt.date, until: dt.date) -> None:
        self.data = data
        self.since = since
        self.until = until
        self.data_lock_point = dt.datetime.combine(
            until + dt.timedelta(days=1), dt.time(), tzinfo=JST
        )
        self.periods = periods = _periods(data, since)
        self.cut = data.restrict(periods.cumulative)
        lots = self.cut.lots()
        sums: dict[tuple[str, str, str], list[int]] = {}
        first_use: dict[str, tuple[tuple[dt.date, str, str], tuple[str, ...]]] = {}
        self.cases = {(c.clinic_id, c.case_key): c for c in self.cut.cases}
        for key, c in self.cases.items():
            adm = lots.get(key)
            if adm is None:
                continue
            row = sums.setdefault((c.route, adm.origin, adm.lot), [0, 0])
            row[0] += 1
            row[1] += key in periods.interval
            order = (period_months(c.period)[0], c.clinic_id, c.case_key)
            if adm.lot not in first_use or order < first_use[adm.lot][0]:
                first_use[adm.lot] = (order, (adm.maker, adm.origin, adm.sourcing))
        self.exposure = tuple(
            ExposureCount(route, origin, lot, total, interval)
            for (route, origin, lot), (total, interval) in sorted(sums.items())
        )
        self.lot_products = {lot: product for lot, (_, product) in sorted(first_use.items())}
        self.reactions = tuple(
            _PooledFact(
                reaction=r,
                case=self.cases[(r.clinic_id, r.case_key)],
                lot=lots[(r.clinic_id, r.case_key)].lot,
                in_interval=(r.clinic_id, r.case_key) in periods.interval,
            )
            for r in self.cut.reactions
            if (r.clinic_id, r.case_key) in lots
        )

    # -- ReportSource --------------------------------------------------------------------

    def product_label(self, key: tuple[str, ...], c: Content) -> str:
        maker, origin, sourcing = key  # each may be empty (not recorded, or blanked)
        return " · ".join(
            [
                c.log_text(maker or "-", "export: administrations.maker"),
                c.w.label(f"origin_{origin}") if origin else "-",
                c.w.label(f"sourcing_{sourcing}") if sourcing else "-",
            ]
        )

    def lock_rows(self, c: Content) -> list[tuple[str, str]]:
        w = c.w
        return [
            (
                w.label("registry_exports", "\n"),
                w.label("registry_exports_value", "\n", n=len(self.data.exports)),
            ),
            (w.label("registry_state", "\n"), self.data.state_hash),
        ]

    def after_lock(self, c: Content) -> list[Flowable]:
        w = c.w
        out: list[Flowable] = [Spacer(1, 2 * mm), *c.paras("s1_note", c.note)]
        month = f"{self.since:%Y-%m}"
        early = False
        rows: list[list[str | Flowable]] = []
        released: dict[str, int] = {}
        for case in self.data.cases:
            released[case.clinic_id] = released.get(case.clinic_id, 0) + 1
        for e in self.data.exports:
            mark = ""
            if e.through < month:
                early = True
                mark = " *"
            g, s = e.generalised, e.suppressed
            cells = [
                e.clinic_id,
                f"{e.manifest_sha256[:32]}\n{e.manifest_sha256[32:]}",
                c.log_text(e.through, "export: manifest source.through") + mark,
                count_text(released.get(e.clinic_id, 0)),
                w.label(
                    "generalised_value",
                    "\n",
                    quarter=count_text(g.get("period_to_quarter", 0)),
                    band10=count_text(g.get("age_band_10", 0)),
                    band20=count_text(g.get("age_band_20", 0)),
                    any=count_text(g.get("age_any", 0)),
                ),
                w.label(
                    "suppressed_value",
                    "\n",
                    cases=count_text(s.get("cases", 0)),
                    groups=count_text(s.get("groups", 0)),
                    held=count_text(e.held.get("cases", 0)),
                ),
            ]
            rows.append([paragraph(plain_markup(cell), c.cell) for cell in cells])
        header = [
            w.head("clinic_id"),
            w.head("manifest_sha256"),
            w.head("export_data_lock"),
            w.head("released"),
            w.head("generalised"),
            w.head("suppressed"),
        ]
        widths = [0.15, 0.31, 0.11, 0.09, 0.19, 0.15]
        out += [Spacer(1, 3 * mm)]
        out += c.block("exports_table", c.grid(header, rows, widths, numeric_from=6), long=True)
        if early:
            out += c.paras("export_early", c.note)
        exports = self.data.exports
        gen = [e.generalised for e in exports]

        def total(name: str, *keys: str) -> str:
            return count_text(sum(getattr(e, name).get(k, 0) for e in exports for k in keys))

        out += c.paras(
            "anonymised",
            c.note,
            k=min(e.k for e in exports),
            l=min(e.l for e in exports),
            quarter=count_text(sum(x.get("period_to_quarter", 0) for x in gen)),
            bands=total("generalised", "age_band_10", "age_band_20", "age_any"),
            held=total("held", "cases"),
            suppressed=total("suppressed", "cases"),
            groups=total("suppressed", "groups"),
            blanked_lot=total("blanked", "lot"),
            blanked_maker=total("blanked", "maker"),
            blanked_volume=total("blanked", "volume_ml"),
        )
        out += c.paras(
            "quarters",
            c.note,
            counted=count_text(self.periods.quarters_counted),
            pending=count_text(self.periods.quarters_pending),
        )
        return out

    def case_rows(self, c: Content, facts: Mapping[str, Fact]) -> list[list[str | Flowable]]:
        listed = sorted(
            (f for f in self.reactions if f.reaction_id in facts),
            key=lambda f: (f.case.clinic_id, f.case.case_key, f.reaction.reaction_key),
        )
        return [self.case_row(c, f) for f in listed]

    def case_row(self, c: Content, fact: _PooledFact) -> list[str | Flowable]:
        w = c.w
        nl = "\n"
        r, case = fact.reaction, fact.case
        labels = c.table.criterion_labels
        criteria = [
            w.pick(labels[k], "severity table", nl)
            if k in labels
            else c.log_text(k, "reactions.seriousness_criteria")
            for k in r.seriousness_criteria
        ]
        minutes = (
            w.label("minutes_unknown", nl)
            if r.minutes_to_onset is None
            else w.label("minutes_to_onset", nl, minutes=count_text(r.minutes_to_onset))
        )
        cells = [
            f"{case.clinic_id}{nl}{case.case_key[:16]}{nl}{case.case_key[16:]}",
            f"{c.log_text(case.period, 'cases.period')}{nl}{minutes}",
            *c.case_event_cells(fact),
            nl.join(criteria) or w.label("criteria_none", nl),
            f"{self.code(c, 'outcome', r.outcome)}{nl}{self.code(c, 'causality', r.causality)}",
        ]
        return [paragraph(plain_markup(cell), c.cell) for cell in cells]

    @staticmethod
    def code(c: Content, kind: str, value: str) -> str:
        """A code's label, or the code itself where the wording has none."""
        if f"{kind}_{value}" in c.w.wording.texts:
            return c.w.label(f"{kind}_{value}", "\n")
        return c.log_text(value or "-", f"reactions.{kind}")

    def pdf_info(self, month: str, doc_id: str) -> tuple[str, str]:
        return (
            f"pooled monthly safety report {month}; {len(self.data.exports)} exports",
            f"registry_state={self.data.state_hash}; document_sha256={doc_id}",
        )


def pooled_safety_report(
    data: PooledData,
    *,
    month: str | dt.date,
    language: ConsentLanguage | str = "ja",
    font: FontSpec | str | Path | None = None,
    settings: SignalSettings | None = None,
) -> SafetyReport:
    """Render the pooled monthly safety report of ``month`` from a registry's exports.

    The clinic report's seven sections over every clinic's released rows: administrations
    whose period is the month (interval) or a period ended by its last day (cumulative),
    the reactions that followed them, and the signals of
    :func:`~exointake.signals.evaluate` on those cases with strata clinic x period x
    route. In the result, ``lock_seq`` is the number of exports
    pooled and ``lock_hash`` the registry state hash (SHA-256 over the sorted manifest
    hashes); the same exports give the same bytes.

    Args:
        data: the pooled exports (:meth:`exointake.registry.Registry.pooled_data` reads
            them from a registry; :meth:`PooledData.from_export_dirs` from export folders).
        month: ``YYYY-MM`` (or any date in it). At least one export must run through it
            (its manifest's ``source.through`` the month or later).
        language: ``ja``, ``en`` or ``ja+en``.
        font: as :func:`~exointake.report.safety_report` takes it.
        settings: what the lot tests run (default ``SignalSettings()``).

    Raises:
        ValidationError: a bad argument, or no export covers the month's end.
        RenderError: the font cannot show a character (the message says where it is).
    """
    if not isinstance(data, PooledData):
        raise ValidationError(
            [f"data: expected PooledData, got {describe_type(data)}"], what="argument"
        )
    if not data.exports:
        raise ValidationError(["data: no export to pool"], what="argument")
    args = ReportArgs.parse(month, language, font, settings)
    source = PooledSource(data, since=args.since, until=args.until)
    newest = max(e.through for e in data.exports)
    if newest < f"{args.since:%Y-%m}":
        raise ValidationError(
            [
                f"month: no export runs through {args.since:%Y-%m} (the latest runs through "
                f"{newest}); a report is made once an export holds the whole month"
            ],
            what="argument",
        )
    wording = load_pooled_wording()
    return render_report(
        source,
        args,
        series=pooled_lot_series(source.cut),
        wording=wording,
        identity={"base_wording": wording.base, "registry_state": data.state_hash},
        data_lock_point=source.data_lock_point,
        lock_seq=len(data.exports),
        lock_hash=data.state_hash,
    )
