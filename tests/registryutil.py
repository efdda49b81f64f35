"""Helpers for the registry export tests: simulated clinics written into a log, and a
brute-force reader of an export's files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from exointake import Log, Reaction, ReactionRecord, Route, ScreeningRecord
from exointake._convert import canonical_json
from exointake.records import Causality

from .logutil import BYPASS, administration

JST = dt.timezone(dt.timedelta(hours=9))
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=JST)
ROUTES = (Route.IV_DRIP, Route.INJECTION_FACE, Route.INJECTION_SCALP)
LOTS = ("LOT-A", "LOT-B", "LOT-C")
MAKERS = ("Example Bio K.K.", "Ｅｘａｍｐｌｅ Ｂｉｏ K.K.", "Other Cells")
"""Spellings of two makers (NFKC makes the first two one)."""
SYMPTOMS: tuple[Sequence[Any], ...] = (
    ["redness"],
    [{"code": "urticaria", "extent": "generalized"}],
    ["fever"],
    ["hypotension", {"code": "urticaria", "extent": "generalized"}],
    ["rash"],
)
NOTE = "患者が自宅の電話で連絡してきた（自由記述の備考）"
SITE = "左前腕の内側（自由記述の部位）"


@attrs.frozen
class Visit:
    """One administration of the simulated clinic (and its reaction, if any)."""

    day: int
    """Days after T0."""
    minute: int
    route: int
    lot: int
    reaction: int | None
    """Index into SYMPTOMS, or None."""
    onset_seconds: int


@attrs.frozen
class Patient:
    patient_id: str
    name: str
    kana: str
    phone: str
    birth: dt.date | None
    visits: tuple[Visit, ...]


@attrs.frozen
class Clinic:
    patients: tuple[Patient, ...]


def visits(max_visits: int = 3, days: int = 120) -> st.SearchStrategy[tuple[Visit, ...]]:
    visit = st.builds(
        Visit,
        day=st.integers(0, days),
        minute=st.integers(0, 600),
        route=st.sampled_from((0, 0, 0, 1, 2)),
        lot=st.integers(0, len(LOTS) - 1),
        reaction=st.one_of(st.none(), st.none(), st.integers(0, len(SYMPTOMS) - 1)),
        onset_seconds=st.integers(60, 6 * 3600),
    )
    return st.lists(visit, min_size=1, max_size=max_visits).map(tuple)


@st.composite
def clinics(draw: st.DrawFn, max_patients: int = 24) -> Clinic:
    """Clinics of a few to a few dozen patients, most born in a few years, so that some
    groups pass the gate and others need generalising or suppressing."""
    n = draw(st.one_of(st.integers(1, 4), st.integers(5, max_patients)))
    years = draw(st.lists(st.integers(1935, 2004), min_size=1, max_size=4))
    patients = []
    for i in range(n):
        birth = None
        if draw(st.integers(0, 9)):
            birth = dt.date(draw(st.sampled_from(years)), draw(st.integers(1, 12)), 15)
        patients.append(
            Patient(
                patient_id=f"PT-{i:04d}-ZQ",
                name=f"山田{i:03d}太郎",
                kana=f"ヤマダ{i:03d}タロウ",
                phone=f"090-{i:04d}-7531",
                birth=birth,
                visits=draw(visits()),
            )
        )
    return Clinic(tuple(patients))


def big_clinic(n: int = 150, seed: int = 3) -> Clinic:
    """A deterministic clinic where most groups pass, some after generalising."""
    rng = random.Random(seed)
    patients = []
    for i in range(n):
        birth = dt.date(rng.choice((1960, 1975, 1976, 1990, 1991, 2001)), rng.randint(1, 12), 3)
        vs = tuple(
            Visit(
                day=rng.randrange(90),
                minute=rng.randrange(600),
                route=rng.choice((0, 0, 0, 1, 2)),
                lot=rng.randrange(len(LOTS)),
                reaction=rng.randrange(len(SYMPTOMS)) if rng.random() < 0.25 else None,
                onset_seconds=rng.randrange(60, 7200),
            )
            for _ in range(rng.randint(1, 3))
        )
        patients.append(
            Patient(
                patient_id=f"PT-{i:04d}-ZQ",
                name=f"佐藤{i:03d}花子",
                kana=f"サトウ{i:03d}ハナコ",
                phone=f"080-{i:04d}-2468",
                birth=None if i % 17 == 0 else birth,
                visits=vs,
            )
        )
    return Clinic(tuple(patients))


def screening(patient: Patient, on: dt.date) -> ScreeningRecord:
    """A screening with answers that hold the patient's name, kana, phone and birth date
    (what must never leave)."""
    result = {"decision": "clear", "screened_on": on.isoformat(), "findings": []}
    answers: dict[str, Any] = {
        "answers": {"name": patient.name, "kana": patient.kana, "phone": patient.phone},
        "route": "iv_drip",
    }
    if patient.birth is not None:
        answers["answers"]["birth_date"] = patient.birth.isoformat()
    return ScreeningRecord(
        patient_id=patient.patient_id,
        result_id=hashlib.sha256(canonical_json(result)).hexdigest(),
        decision="clear",
        result=result,
        answers=answers,
    )


@attrs.frozen
class Logged:
    """What was written: per administration root id, its patient, time, lot and day."""

    administrations: Mapping[str, tuple[str, dt.datetime, str]]
    """root id -> (patient id, administered_at, lot as written)."""
    reactions: Mapping[str, tuple[str, dt.datetime]]
    """reaction root id -> (administration root id, onset)."""


def fill(log: Log, clinic: Clinic) -> Logged:
    """Write ``clinic`` into ``log``: a screening per patient on its first visit's day
    (before it), then every administration (site as free text), then the reactions (each
    with a free-text note). Administrations pass the gate by the recorded test override."""
    base = administration()
    adms: list[tuple[Patient, Visit, Any]] = []
    for patient in clinic.patients:
        first = min(v.day for v in patient.visits)
        log.record_screening(screening(patient, (T0 + dt.timedelta(days=first)).date()))
        for v in patient.visits:
            at = T0 + dt.timedelta(days=v.day, minutes=v.minute)
            adms.append(
                (
                    patient,
                    v,
                    attrs.evolve(
                        base,
                        patient_id=patient.patient_id,
                        administered_at=at,
                        route=ROUTES[v.route],
                        site=SITE,
                        volume_ml=Decimal("2.5"),
                        physician_id="DR-STAFF-991",
                        product=attrs.evolve(base.product, lot=LOTS[v.lot], maker=MAKERS[v.lot]),
                    ),
                )
            )
    ids = log.administer_many([a for _, _, a in adms], override=BYPASS)
    administrations = {}
    reactions = {}
    for adm_id, (patient, v, adm) in zip(ids, adms, strict=True):
        administrations[adm_id] = (patient.patient_id, adm.administered_at, adm.product.lot)
        if v.reaction is not None:
            onset = adm.administered_at + dt.timedelta(seconds=v.onset_seconds)
            record = ReactionRecord(
                administration_id=adm_id,
                onset=onset,
                reaction=Reaction.from_dict(
                    {"symptoms": SYMPTOMS[v.reaction], "onset_minutes": v.onset_seconds // 60}
                ),
                causality=Causality.POSSIBLE,
                reporter="NS-STAFF-552",
                note=NOTE,
            )
            reactions[log.record_reaction(record)] = (adm_id, onset)
    return Logged(administrations, reactions)


def secrets_of(clinic: Clinic) -> list[bytes]:
    """Every text that must not appear in an export of the clinic."""
    out = [NOTE.encode(), SITE.encode(), b"DR-STAFF-991", b"NS-STAFF-552", b"NS-014"]
    for p in clinic.patients:
        out += [p.patient_id.encode(), p.name.encode(), p.kana.encode(), p.phone.encode()]
        if p.birth is not None:
            out.append(p.birth.isoformat().encode())
    return out


def pseudonym(key: bytes, domain: str, value: str) -> str:
    """The spec's pseudonym: HMAC-SHA256 of ``exointake-registry/<domain>\\0<value>``."""
    msg = f"exointake-registry/{domain}".encode() + b"\x00" + value.encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:32]


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def patient_of(logged: Logged, key: bytes) -> dict[str, str]:
    """case key -> patient id, from what was logged (cases.csv holds no patient key)."""
    return {pseudonym(key, "case", root): a[0] for root, a in logged.administrations.items()}


def sensitive(row: Mapping[str, str]) -> set[str]:
    """The sensitive values of one reactions.csv row: its term (``unclassified`` when
    empty), ``serious``, ``fatal``."""
    values = {row["ctcae_term"] or "unclassified"}
    if row["serious"] == "true":
        values.add("serious")
    if row["outcome"] == "fatal":
        values.add("fatal")
    return values


def brute_force(
    files: Mapping[str, bytes],
    k: int,
    l: int,  # noqa: E741
    patients: Mapping[str, str],
) -> list[str]:
    """Every problem of k-anonymity (distinct patients) and frequency l-diversity over
    patients (no sensitive value shown by more than P/l of a group's P patients) in an
    export's files; ``patients`` maps each case key to its patient."""
    cases = read_csv(files["cases.csv"])
    reactions = read_csv(files["reactions.csv"])
    values: dict[str, set[str]] = {}
    for r in reactions:
        values.setdefault(r["case_key"], set()).update(sensitive(r))
    groups: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for c in cases:
        key = (c["age_band"], c["region"], c["period"], c["route"])
        groups.setdefault(key, []).append(c)
    problems = []
    for key, members in groups.items():
        who = {patients[m["case_key"]] for m in members}
        if len(who) < k:
            problems.append(f"{key}: fewer than {k} patients")
        for value in set().union(*(values.get(m["case_key"], set()) for m in members)):
            showing = {
                patients[m["case_key"]] for m in members if value in values.get(m["case_key"], ())
            }
            if len(showing) * l > len(who):
                problems.append(f"{key}: {value} shown by {len(showing)} of {len(who)}")
    return problems


def blanking_problems(
    files: Mapping[str, bytes],
    k: int,
    patients: Mapping[str, str],
    logged_values: Mapping[str, Mapping[str, str]],
) -> list[str]:
    """Every lot, maker or volume written though fewer than k released patients share it,
    or left empty though at least k do (``logged_values``: case key -> column -> the
    normalised value as logged)."""
    rows = read_csv(files["administrations.csv"])
    problems = []
    for column in ("lot", "maker", "volume_ml"):
        sharing: dict[str, set[str]] = {}
        for r in rows:
            sharing.setdefault(logged_values[r["case_key"]][column], set()).add(
                patients[r["case_key"]]
            )
        for r in rows:
            logged = logged_values[r["case_key"]][column]
            expected = logged if len(sharing[logged]) >= k else ""
            if r[column] != expected:
                problems.append(f"{column}: {r[column]!r} where {expected!r} was due")
    return problems
