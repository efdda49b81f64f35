"""Hypothesis strategies for the reaction log: administrations and reaction records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from .._common import Route
from .._reaction import Reaction
from .._reactions import Causality, ReactionRecord, VitalSigns
from .._records import Administration, Origin, Product, Sourcing, StorageCheck
from ._grading import reactions as _reactions
from ._validate import check_strategy

__all__ = ["administrations", "log_ids", "reaction_records"]

_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def log_ids() -> st.SearchStrategy[str]:
    """Opaque ids as the log accepts them (patient, staff, lot, consent ids)."""
    return st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(_ID_CHARS),
        st.text(_ID_CHARS + "._:-", max_size=20),
    )


def _aware_datetimes() -> st.SearchStrategy[dt.datetime]:
    offsets = st.sampled_from([0, 9 * 60, -5 * 60, 5 * 60 + 30]).map(
        lambda m: dt.timezone(dt.timedelta(minutes=m))
    )
    return st.datetimes(
        min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=dt.datetime(2035, 12, 31),  # noqa: DTZ001
        timezones=offsets,
    )


_LABELS = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


_NOTES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")) | st.sampled_from("\t\n"),
    max_size=80,
)
"""Free text as a note takes it: any valid Unicode but control characters (tab and
newline aside)."""


def administrations(
    *,
    patient_ids: st.SearchStrategy[str] | None = None,
    lots: st.SearchStrategy[str] | None = None,
    routes: st.SearchStrategy[Route] | None = None,
    administered_at: st.SearchStrategy[dt.datetime] | None = None,
) -> st.SearchStrategy[Administration]:
    """Valid administrations; pass strategies to pin patients, lots, routes or times.

    Example::

        @given(strategies.administrations(lots=st.just("LOT-1")))
        def test_recall_finds_it(adm): ...

    Raises:
        hypothesis.errors.InvalidArgument: an argument that is not a strategy or None.
    """
    for value, name in (
        (patient_ids, "patient_ids"),
        (lots, "lots"),
        (routes, "routes"),
        (administered_at, "administered_at"),
    ):
        check_strategy(value, name)
    product = st.builds(
        Product,
        origin=st.sampled_from(list(Origin)),
        maker=_LABELS,
        sourcing=st.sampled_from(list(Sourcing)),
        concentration=_LABELS,
        lot=lots if lots is not None else log_ids(),
    )
    storage = st.builds(
        StorageCheck,
        cold_chain_ok=st.booleans(),
        checked_by=log_ids(),
        temperature_c=st.none() | st.decimals(-30, 40, places=1),
        days_at_room_temperature=st.none() | st.integers(0, 60),
    )
    return st.builds(
        Administration,
        patient_id=patient_ids if patient_ids is not None else log_ids(),
        administered_at=administered_at if administered_at is not None else _aware_datetimes(),
        route=routes if routes is not None else st.sampled_from(list(Route)),
        site=_LABELS,
        volume_ml=st.decimals(Decimal("0.1"), Decimal("500"), places=2),
        product=product,
        storage_check=storage,
        physician_id=log_ids(),
        screening_result_id=log_ids(),
        consent_id=log_ids(),
    )


def reaction_records(
    administration_ids: st.SearchStrategy[str] | None = None,
    *,
    onset: st.SearchStrategy[dt.datetime] | None = None,
    reactions: st.SearchStrategy[Reaction] | None = None,
) -> st.SearchStrategy[ReactionRecord]:
    """Valid reaction records, following the given administration ids.

    ``onset`` must be at or after the administration for the log to accept the record;
    pin it when you append generated records to a log.

    Raises:
        hypothesis.errors.InvalidArgument: an argument that is not a strategy or None.
    """
    for value, name in (
        (administration_ids, "administration_ids"),
        (onset, "onset"),
        (reactions, "reactions"),
    ):
        check_strategy(value, name)
    vitals = st.builds(
        VitalSigns,
        systolic_mmhg=st.none() | st.integers(40, 250),
        diastolic_mmhg=st.none() | st.integers(20, 150),
        heart_rate_bpm=st.none() | st.integers(30, 220),
        respiratory_rate=st.none() | st.integers(4, 60),
        spo2_percent=st.none() | st.integers(50, 100),
        temperature_c=st.none() | st.decimals(Decimal(34), Decimal(42), places=1),
    )
    return st.builds(
        ReactionRecord,
        administration_id=administration_ids if administration_ids is not None else log_ids(),
        onset=onset if onset is not None else _aware_datetimes(),
        reaction=reactions if reactions is not None else _reactions(),
        causality=st.sampled_from(list(Causality)),
        reporter=log_ids(),
        vital_signs=st.none() | vitals,
        note=st.none() | _NOTES,
    )
