"""The de-identified registry export (匿名加工情報): three CSV files and a manifest.

:func:`export_registry` reads a log (current versions only) and makes what a clinic may
hand to a registry under the APPI's 匿名加工情報 rules (法43条, 規則34条): case and reaction
pseudonyms by HMAC-SHA256 under a one-off export key (:class:`ExportKey`: made fresh in
memory and discarded, PPC Q&A 15-14; no patient pseudonym is written), ages in 5-year
bands, dates as year-months and minutes to onset, only months that ended at least a
settling period (``settle_days``) before the log's head, the clinic as a prefecture code
and a registry-given id, no free text and no direct identifier; then the release gate
(:mod:`exointake._registry_gate`: k distinct patients and frequency l-diversity over
patients per group, generalisation then suppression; cases of a quarter not yet over and
settled are held back), product values shared by fewer than k patients
blanked, a brute-force recheck of what would be released, and the manifest describing
items, method, gate figures, versions, the log's head and the key's fingerprint (never the
key).

Same log + same given key → the same bytes: nothing depends on the clock or on the order
rows come out of the database. Files: ``cases.csv``, ``administrations.csv``,
``reactions.csv``, ``manifest.json``.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime as dt
import gc
import hashlib
import io
import json
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from attrs import field, frozen

from ._bundled import load, version_key
from ._convert import safe_repr
from ._errors import ValidationError
from ._files import Outputs
from ._log._queries import registry_source
from ._registry_format import (
    CLINIC_ID_PATTERN,
    FILE_COLUMNS,
    FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MAX_SETTLE_DAYS,
)
from ._registry_gate import LADDER, check_release, code, run_gate, sensitive_values

if TYPE_CHECKING:
    from ._log._core import Log

__all__ = [
    "BLANKED",
    "FILE_COLUMNS",
    "FORMAT",
    "FORMAT_VERSION",
    "MIN_K",
    "MIN_L",
    "QUASI_IDENTIFIERS",
    "SETTLE_DAYS",
    "ExportKey",
    "GateReport",
    "RegistryExport",
    "export_registry",
    "generate_export_key",
    "load_export_key",
]

MIN_K: Final = 5
"""The floor of k: an export may ask for more distinct patients per group, never fewer."""
MIN_L: Final = 2
"""The floor of l: an export may ask for a stricter l-diversity, never a weaker one."""
SETTLE_DAYS: Final = 14
"""The default settling period: a month leaves once it ended this many days before the
log's head entry, so entries recorded late within it are in its first export."""
QUASI_IDENTIFIERS: Final = ("age_band", "region", "period", "route")
"""The columns of ``cases.csv`` the gate groups on (a ``sex`` column would join them)."""
SENSITIVE_VALUES: Final = (
    "frequency l-diversity over patients: in a group of P distinct patients, each "
    "sensitive value is shown by at most P/l patients; values: each reaction's ctcae_term "
    "(empty: unclassified), serious (a serious reaction), fatal (a fatal outcome); the "
    "absence of a reaction is not bounded"
)
"""The manifest's ``gate.sensitive_values``: the l rule in words."""
BLANKED: Final = ("lot", "maker", "volume_ml")
"""The administrations.csv columns written only when k distinct patients share the value."""

SITES: Final[Mapping[str, str]] = {
    "iv_drip": "vein",
    "injection_face": "face",
    "injection_scalp": "scalp",
}
"""The released site code of each route (the stored site is free text and never leaves)."""

_KEY_TEXT = re.compile(r"[0-9a-f]{64}")
_KEY_FILE_LIMIT: Final = 4096
_REGION = re.compile(r"0[1-9]|[1-3][0-9]|4[0-7]")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLINIC_ID = re.compile(CLINIC_ID_PATTERN)
_CASE: Final = b"exointake-registry/case\x00"
_REACTION: Final = b"exointake-registry/reaction\x00"
_TEXTS_ID: Final = "export"


# ================================================================================= key


@frozen(repr=False)
class ExportKey:
    """An export key: 32 secret bytes under which the case and reaction pseudonyms are made.

    One key serves one export: :func:`export_registry` makes a fresh one in memory and
    discards it unless given one (to reproduce an export byte for byte, in tests say). A
    given key must be destroyed after the export and never reused across exports (PPC Q&A
    15-14: the replacement's parameters are destroyed once the data are made): whoever
    holds it can test whether an administration is behind a pseudonym. ``repr`` shows the
    fingerprint, never the key.
    """

    secret: bytes = field(repr=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.secret, bytes) or len(self.secret) != 32:
            raise ValidationError(["key: expected 32 bytes"], what="export key")

    def __repr__(self) -> str:
        return f"ExportKey(fingerprint={self.fingerprint!r})"

    @property
    def fingerprint(self) -> str:
        """``sha256:`` + the SHA-256 of the 32 key bytes (safe to publish)."""
        return "sha256:" + hashlib.sha256(self.secret).hexdigest()

    def file_text(self) -> str:
        """The key file's content: 64 lowercase hex characters and a newline."""
        return self.secret.hex() + "\n"

    def write(
        self, path: str | os.PathLike[str], *, force: bool = False, flag: str = "path"
    ) -> Path:
        """Write the key file (mode 0600, atomically); an existing file only with ``force``.

        ``flag`` names the path in errors (a command-line option, say).
        """
        return Outputs(force=force).write(path, self.file_text().encode("ascii"), flag=flag)


def generate_export_key() -> ExportKey:
    """A new random export key (32 bytes from :mod:`secrets`)."""
    return ExportKey(secrets.token_bytes(32))


def load_export_key(path: str | os.PathLike[str], *, flag: str = "path") -> ExportKey:
    """The export key in the file at ``path`` (64 lowercase hex characters; surrounding
    whitespace is ignored).

    Raises:
        ValidationError: naming ``flag``: the file cannot be read or holds anything else.
            The file's content is never shown.
    """
    expected = "expected a key file: 64 lowercase hexadecimal characters (32 bytes)"
    try:
        with Path(path).open("rb") as fh:
            data = fh.read(_KEY_FILE_LIMIT + 1)
    except OSError as exc:
        raise ValidationError(
            [f"{flag}: {path} cannot be read ({exc.strerror or type(exc).__name__})"],
            what="export key",
        ) from None
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        text = ""
    if len(data) > _KEY_FILE_LIMIT or not _KEY_TEXT.fullmatch(text):
        raise ValidationError([f"{flag}: {path}: {expected} and nothing else"], what="export key")
    return ExportKey(bytes.fromhex(text))


class _Pseudonyms:
    """HMAC-SHA256 (RFC 2104) under the key of ``prefix + value``, first 32 hex digits.

    The key's inner and outer SHA-256 states (and the prefix) are hashed once; each value
    costs two copies and two small updates — about half of :func:`hmac.digest`, which
    matters at a million cases. ``tests/test_registry_export.py`` checks it against
    :mod:`hmac`.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes, prefix: bytes) -> None:
        block = key.ljust(64, b"\0")  # a 32-byte key is shorter than SHA-256's block
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block) + prefix)
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def __call__(self, value: str) -> str:
        inner = self._inner.copy()
        inner.update(value.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:32]


# ================================================================================ gate


@frozen
class GateReport:
    """What the release gate did: thresholds, group figures, generalised, held, suppressed
    and blanked counts (the manifest's ``gate``)."""

    k: int
    l: int  # noqa: E741 - the l of l-diversity
    quasi_identifiers: tuple[str, ...]
    groups: int
    """Groups (equal quasi-identifiers) among the released cases."""
    min_patients_in_group: int | None
    """The fewest distinct patients in a released group (None: nothing released)."""
    max_share_in_group: float | None
    """The largest share of a released group's patients showing one sensitive value (at
    most 1/l; None: no reaction released)."""
    period_to_quarter: int
    """Released cases whose period was widened to a quarter."""
    age_band_10: int
    """Released cases whose age band was widened to 10 years."""
    age_band_20: int
    """Released cases whose age band was widened to 20 years."""
    age_any: int
    """Released cases whose age band was widened to any age."""
    held_cases: int
    """Cases of complete months held back: their quarter is not over yet."""
    suppressed_cases: int
    suppressed_groups: int
    """Groups (at the ladder's top) whose cases were suppressed."""
    blanked: Mapping[str, int]
    """Released rows whose ``lot``, ``maker`` or ``volume_ml`` was left empty (fewer than k
    distinct patients shared the value)."""
    sensitive_values: str = SENSITIVE_VALUES

    def to_dict(self) -> dict[str, Any]:
        """The manifest's ``gate`` object."""
        return {
            "k": self.k,
            "l": self.l,
            "quasi_identifiers": list(self.quasi_identifiers),
            "sensitive_values": self.sensitive_values,
            "groups": self.groups,
            "min_patients_in_group": self.min_patients_in_group,
            "max_share_in_group": self.max_share_in_group,
            "generalised": {
                "period_to_quarter": self.period_to_quarter,
                "age_band_10": self.age_band_10,
                "age_band_20": self.age_band_20,
                "age_any": self.age_any,
            },
            "held": {"cases": self.held_cases},
            "suppressed": {"cases": self.suppressed_cases, "groups": self.suppressed_groups},
            "blanked": {name: self.blanked.get(name, 0) for name in BLANKED},
        }


# ============================================================================== export


@frozen
class RegistryExport:
    """A de-identified export, in memory: the four files' bytes, the manifest and the
    gate's report. :meth:`write` puts them in a folder."""

    files: Mapping[str, bytes] = field(repr=False)
    """File name -> bytes, for the four files of :data:`FILES`."""
    manifest: Mapping[str, Any] = field(repr=False)
    """The parsed ``manifest.json``."""
    gate: GateReport

    @property
    def manifest_sha256(self) -> str:
        """The SHA-256 of ``manifest.json``'s bytes: the export's identity in a registry."""
        return hashlib.sha256(self.files[MANIFEST]).hexdigest()

    @property
    def rows(self) -> Mapping[str, int]:
        """Rows per CSV file (header excluded)."""
        return {name: int(info["rows"]) for name, info in self.manifest["files"].items()}

    def write(
        self, folder: str | os.PathLike[str], *, force: bool = False, flag: str = "folder"
    ) -> list[Path]:
        """Write the four files into ``folder`` (created with mode 0700 when missing; it
        must otherwise be empty, or ``force`` replaces the four files and nothing else).
        Files are written atomically with mode 0600; returns their paths.

        ``flag`` names the folder in errors (``--out`` on the command line).

        Raises:
            ValidationError: the folder's parent is missing, the folder is a file or holds
                other files (without ``force``), or a file cannot be written.
        """
        target = Path(folder)
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise ValidationError(
                [f"{flag}: {target} cannot be read ({exc.strerror})"], what="arguments"
            ) from None
        if st is None:
            if not target.parent.is_dir():
                raise ValidationError(
                    [f"{flag}: {target} cannot be created: its folder does not exist"],
                    what="arguments",
                )
            try:
                target.mkdir(mode=0o700)
            except OSError as exc:
                raise ValidationError(
                    [f"{flag}: {target} cannot be created ({exc.strerror})"], what="arguments"
                ) from None
        elif not stat.S_ISDIR(st.st_mode):
            raise ValidationError(
                [f"{flag}: {target} is not a folder; give a folder that is empty or missing"],
                what="arguments",
            )
        elif any(target.iterdir()) and not force:
            force_word = "--force" if flag.startswith("--") else "force=True"
            raise ValidationError(
                [f"{flag}: {target} is not empty; pass {force_word} to replace the export's files"],
                what="arguments",
            )
        outputs = Outputs(force=force)
        for name in FILES:  # every path checked before any is written
            outputs.claim(target / name, flag=flag)
        return [outputs.write(target / name, self.files[name], flag=flag) for name in FILES]


def _check_args(
    clinic_id: object,
    region: object,
    k: object,
    l: object,  # noqa: E741 - the l of l-diversity
    settle_days: object,
    *,
    names: Mapping[str, str] | None,
) -> str:
    said = {f: f for f in ("clinic_id", "region", "k", "l", "settle_days")} | dict(names or {})
    problems = []
    if not isinstance(clinic_id, str) or not _CLINIC_ID.fullmatch(clinic_id):
        problems.append(
            f"{said['clinic_id']}: expected the clinic's id in the registry (1-32 letters, "
            "digits, '.', '_' or '-', starting with a letter or digit), got " + safe_repr(clinic_id)
        )
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        problems.append(
            f"{said['region']}: expected a JIS X 0401 prefecture code, two digits 01-47, got "
            + safe_repr(region)
        )
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        problems.append(
            f"{said['k']}: expected a whole number of at least {MIN_K} (the floor; it may be "
            f"raised, never lowered), got {safe_repr(k)}"
        )
    if isinstance(l, bool) or not isinstance(l, int) or l < MIN_L:
        problems.append(
            f"{said['l']}: expected a whole number of at least {MIN_L} (the floor; it may be "
            f"raised, never lowered), got {safe_repr(l)}"
        )
    if (
        isinstance(settle_days, bool)
        or not isinstance(settle_days, int)
        or not 0 <= settle_days <= MAX_SETTLE_DAYS
    ):
        problems.append(
            f"{said['settle_days']}: expected a whole number of days from 0 to "
            f"{MAX_SETTLE_DAYS}, got {safe_repr(settle_days)}"
        )
    if problems:
        raise ValidationError(problems, what="argument")
    assert isinstance(region, str)
    return region


def _nfkc(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip()


def _birth_dates(
    screenings: Sequence[tuple[str, int, str | None, str | None]],
) -> dict[str, tuple[list[str], list[int], list[str]]]:
    """patient -> (screening days ascending, the birth year and ``MM-DD`` each screening's
    answers give), from the screenings whose answers hold a birth date (ties on a day:
    chain order)."""
    per: dict[str, list[tuple[str, int, str]]] = {}
    for patient, seq, on, birth in screenings:
        if (
            isinstance(on, str)
            and isinstance(birth, str)
            and _DAY.fullmatch(on)
            and _DAY.fullmatch(birth)
        ):
            per.setdefault(patient, []).append((on, seq, birth))
    out = {}
    for patient, rows in per.items():
        rows.sort()
        out[patient] = (
            [r[0] for r in rows],
            [int(r[2][:4]) for r in rows],
            [r[2][5:] for r in rows],
        )
    return out


def _codes(value: object) -> str:
    if not isinstance(value, list):
        return ""
    codes = set()
    for item in value:
        if isinstance(item, str):
            codes.add(item)
        elif isinstance(item, dict) and isinstance(item.get("code"), str):
            codes.add(item["code"])
    return ";".join(sorted(codes))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _minutes(administered_at: str | None, onset: object) -> str:
    if administered_at is None or not isinstance(onset, str):
        return ""
    delta = dt.datetime.fromisoformat(onset) - dt.datetime.fromisoformat(administered_at)
    return str(int(delta.total_seconds() // 60))


_SPECIAL = re.compile(r'[",\r\n]')


def csv_field(value: object) -> str:
    """``value`` as one CSV field, as :mod:`csv`'s ``QUOTE_MINIMAL`` writes it in a row of
    several fields: empty for None, ``true``/``false`` for booleans, quoted (quotes doubled)
    when it holds a comma, a quote or a line break."""
    text = _text(value)
    return '"' + text.replace('"', '""') + '"' if _SPECIAL.search(text) else text


def _lines(header: Sequence[str], lines: list[str]) -> bytes:
    """A CSV file from its header and its rows, each already joined."""
    lines.insert(0, ",".join(header))
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _versions(values: set[str]) -> str | list[str] | None:
    if not values:
        return None
    ordered = sorted(values, key=version_key)
    return ordered[0] if len(ordered) == 1 else ordered


def _load_texts(data: object) -> Mapping[str, Any]:
    problems = []
    if not isinstance(data, dict):
        raise ValidationError(["registry texts: expected an object"], what="bundled data")
    for name in ("profile", "statement", "items", "method"):
        if name not in data:
            problems.append(f"registry texts.{name}: missing")
    items = data.get("items", {})
    for file, columns in FILE_COLUMNS.items():
        listed = tuple(i.get("column") for i in items.get(file, ()))
        if listed != columns:
            problems.append(f"registry texts.items.{file}: expected the columns {list(columns)}")
    if problems:
        raise ValidationError(problems, what="bundled data")
    return data


def export_texts() -> Mapping[str, Any]:
    """The manifest's bundled texts (profile, statement, items, method), newest version."""
    return load("registry", _TEXTS_ID, None, _load_texts, what="registry texts")


class _Cases:
    """The current administrations as columns (position = case), with what the gate and
    the rows need. What many cases share — lot, route, origin, day, maker, sourcing,
    volume — is a *profile*, decoded and formatted once per distinct profile."""

    __slots__ = (
        "ages",
        "day_of",
        "patients",
        "profile_of",
        "profiles",
        "roots",
        "route_of",
    )

    def __init__(self) -> None:
        self.roots: list[str] = []
        self.patients: list[str] = []
        """Each case's patient id (in memory only: it counts distinct patients)."""
        self.profile_of: list[int] = []
        """Each case's profile (an index into ``profiles``)."""
        self.profiles: list[list[Any]] = []
        """``[lot, route, origin, day, maker, sourcing, volume_ml]`` per profile."""
        self.day_of: list[str] = []
        """Each profile's JST day."""
        self.route_of: list[str] = []
        """Each profile's route."""
        self.ages: list[int | None] = []
        """Each case's age in whole years on its day (None: unknown)."""


def _cases(
    admins: Sequence[tuple[str, str, str]],
    screenings: Sequence[tuple[str, int, str | None, str | None]],
    through: str,
) -> tuple[_Cases, int]:
    """The administrations of months up to ``through`` (``YYYY-MM``) as columns, and how
    many later ones were left for a later export."""
    out = _Cases()
    all_texts = [row[2] for row in admins]
    kept_texts = {t for t in set(all_texts) if str(json.loads(t)[3])[:7] <= through}
    if len(kept_texts) < len(set(all_texts)):
        admins = [row for row in admins if row[2] in kept_texts]
    later = len(all_texts) - len(admins)
    out.roots = [row[0] for row in admins]
    pids = [row[1] for row in admins]
    out.patients = pids
    texts = [row[2] for row in admins]
    distinct = sorted(set(texts))
    number = {text: n for n, text in enumerate(distinct)}
    out.profile_of = list(map(number.__getitem__, texts))
    out.profiles = [json.loads(text) for text in distinct]
    out.day_of = [str(p[3]) for p in out.profiles]
    out.route_of = [str(p[1]) for p in out.profiles]
    # Ages: the birth date of the latest screening (by its day) at or before the case's.
    births = _birth_dates(screenings)
    year_of = [int(day[:4]) for day in out.day_of]
    md_of = [day[5:] for day in out.day_of]
    day_of = out.day_of
    ages: list[int | None] = []
    append = ages.append
    for patient, p in zip(pids, out.profile_of, strict=True):
        known = births.get(patient)
        if known is None:
            append(None)
            continue
        ons, birth_years, birth_mds = known
        day = day_of[p]
        j = (0 if ons[0] <= day else -1) if len(ons) == 1 else bisect.bisect_right(ons, day) - 1
        if j < 0:
            append(None)
            continue
        age = year_of[p] - birth_years[j] - (md_of[p] < birth_mds[j])
        append(age if age >= 0 else None)
    out.ages = ages
    return out, later


_Reaction = tuple[int, str, list[Any], str | None]
"""A reaction read for the export: (case position, root id, payload fields, administered_at)."""


def _reactions(
    rows: Sequence[tuple[str, str, str, str | None]], index: Mapping[str, int]
) -> tuple[list[_Reaction], dict[int, frozenset[str]], set[str], set[str]]:
    """The reactions with their case, each case's sensitive values
    (:func:`~exointake._registry_gate.sensitive_values`), and the vocabulary and severity
    table versions their grades name."""
    reactions: list[_Reaction] = []
    terms: dict[int, set[str]] = {}
    vocabularies: set[str] = set()
    tables: set[str] = set()
    for root, administration, fields_json, administered_at in rows:
        case = index.get(administration)
        if case is None:  # pragma: no cover - the log refuses a reaction without one
            continue
        fields = json.loads(fields_json)
        reactions.append((case, root, fields, administered_at))
        terms.setdefault(case, set()).update(sensitive_values(fields[6], fields[10], fields[2]))
        if isinstance(fields[12], str):
            vocabularies.add(fields[12])
        if isinstance(fields[13], str):
            tables.add(fields[13])
    return reactions, {i: frozenset(t) for i, t in terms.items()}, vocabularies, tables


def _released_lines(
    cases: _Cases, levels: Sequence[int | None], region: str, k: int, secret: bytes
) -> tuple[list[str], list[str], dict[str, int], dict[str, str]]:
    """The lines of cases.csv and administrations.csv, in case-key order, how many rows
    had each of :data:`BLANKED` left empty (a value fewer than k released patients share:
    規則34条4号), and each released case key's patient (for the recheck, in memory)."""
    pseudonym = _Pseudonyms(secret, _CASE)
    released = [i for i, level in enumerate(levels) if level is not None]
    keys = [pseudonym(cases.roots[i]) for i in released]
    profiles = cases.profiles
    values = {
        "lot": ["" if p[0] is None else _nfkc(p[0]) for p in profiles],
        "maker": ["" if p[4] is None else _nfkc(p[4]) for p in profiles],
        "volume_ml": [_text(p[6]) for p in profiles],
    }
    patients_of: dict[str, dict[str, set[str]]] = {name: {} for name in BLANKED}
    profile_patients: dict[int, set[str]] = {}
    for i in released:
        profile_patients.setdefault(cases.profile_of[i], set()).add(cases.patients[i])
    for p, who in profile_patients.items():
        for name in BLANKED:
            value = values[name][p]
            if value:
                patients_of[name].setdefault(value, set()).update(who)
    kept = {name: {v for v, who in patients_of[name].items() if len(who) >= k} for name in BLANKED}
    shown = {name: [v if v in kept[name] else "" for v in values[name]] for name in BLANKED}
    suffix = [
        ",".join(
            (
                csv_field(p[2]),
                csv_field(p[5]),
                csv_field(shown["maker"][n]),
                csv_field(shown["lot"][n]),
                csv_field(p[1]),
                csv_field(SITES.get(str(p[1]), "")),
                csv_field(shown["volume_ml"][n]),
            )
        )
        for n, p in enumerate(profiles)
    ]
    bands = [
        {age: csv_field(code("age_band", scheme["age_band"], age)) for age in set(cases.ages)}
        for scheme in LADDER
    ]
    region_field = csv_field(region)
    places = [
        [
            f"{region_field},{csv_field(code('period', scheme['period'], day))},{csv_field(route)}"
            for day, route in zip(cases.day_of, cases.route_of, strict=True)
        ]
        for scheme in LADDER
    ]
    ages, profile_of = cases.ages, cases.profile_of
    if len(released) < len(levels):
        ages = [ages[i] for i in released]
        profile_of = [profile_of[i] for i in released]
    released_levels = [levels[i] for i in released]
    blanked = dict.fromkeys(BLANKED, 0)
    for p in profile_of:
        for name in BLANKED:
            if values[name][p] and not shown[name][p]:
                blanked[name] += 1
    # Each line starts with its case key (32 hex digits, unique): sorting the lines sorts
    # the rows by key.
    case_lines = [
        f"{key},{bands[level][age]},{places[level][p]}"  # type: ignore[index]
        for key, level, age, p in zip(keys, released_levels, ages, profile_of, strict=True)
    ]
    admin_lines = [f"{key},{suffix[p]}" for key, p in zip(keys, profile_of, strict=True)]
    case_lines.sort()
    admin_lines.sort()
    patient_of = dict(zip(keys, map(cases.patients.__getitem__, released), strict=True))
    return case_lines, admin_lines, blanked, patient_of


def _reaction_lines(
    reactions: Sequence[_Reaction],
    cases: _Cases,
    levels: Sequence[int | None],
    secret: bytes,
) -> list[str]:
    """The lines of reactions.csv (in reaction-key order): the reactions of released
    cases."""
    reaction_key = _Pseudonyms(secret, _REACTION)
    case_key = _Pseudonyms(secret, _CASE)
    rows: list[tuple[str, ...]] = []
    for case, root, f, administered_at in reactions:
        if levels[case] is None:
            continue
        rows.append(
            (
                reaction_key(root),
                case_key(cases.roots[case]),
                _minutes(administered_at, f[0]),
                _codes(f[1]),
                _text(f[4]),
                _text(f[5]),
                _text(f[6]),
                _text(f[7]),
                _text(f[8]),
                _text(f[9]),
                _text(f[10]),
                _codes(f[11]),
                _text(f[2]),
                _text(f[3]),
            )
        )
    rows.sort()
    return [",".join(csv_field(v) for v in row) for row in rows]


def _recheck(
    files: Mapping[str, bytes],
    patient_of: Mapping[str, str],
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
) -> tuple[int, int | None, float | None]:
    """Check the files about to be written by brute force, read back from their bytes (the
    patient of each case key from memory: no patient pseudonym is written); refuse them
    below k or l."""
    columns = FILE_COLUMNS["cases.csv"]
    # Every field of cases.csv is a key, a band, a code or a period (none quoted), and the
    # quasi-identifiers are its last columns: the text after the case key is a group.
    assert columns[:1] == ("case_key",)
    assert columns[1:] == QUASI_IDENTIFIERS
    reaction_columns = FILE_COLUMNS["reactions.csv"]
    case_at = reaction_columns.index("case_key")
    term_at = reaction_columns.index("ctcae_term")
    serious_at = reaction_columns.index("serious")
    outcome_at = reaction_columns.index("outcome")
    released: dict[str, set[str]] = {}
    reader = csv.reader(io.StringIO(files["reactions.csv"].decode("utf-8"), newline=""))
    next(reader)
    for row in reader:
        released.setdefault(row[case_at], set()).update(
            sensitive_values(row[term_at], row[serious_at], row[outcome_at])
        )
    lines = files["cases.csv"].decode("utf-8").split("\n")[1:-1]
    cases = [line.split(",", 1) for line in lines]
    # Every administration and reaction belongs to a released case (a row of an unreleased
    # case would escape every bound), and every case has its administration.
    case_keys = {case for case, _ in cases}
    admin_keys = {
        line.split(",", 1)[0]
        for line in files["administrations.csv"].decode("utf-8").split("\n")[1:-1]
    }
    orphans = []
    if admin_keys != case_keys:
        orphans.append("administrations.csv: case keys differ from cases.csv")
    if not released.keys() <= case_keys:
        orphans.append("reactions.csv: a reaction of a case not released")
    if orphans:
        raise ValidationError(orphans, what="registry export (nothing written)")
    rows = ((qi, patient_of[case], case) for case, qi in cases)
    groups, min_patients, max_share, problems = check_release(
        rows, {case: frozenset(v) for case, v in released.items()}, k=k, l=l
    )
    if problems:
        raise ValidationError(sorted(set(problems)), what="registry export (nothing written)")
    return groups, min_patients, max_share


def export_registry(
    log: Log,
    key: ExportKey | None = None,
    *,
    clinic_id: str,
    region: str,
    k: int = MIN_K,
    l: int = MIN_L,  # noqa: E741 - the l of l-diversity
    settle_days: int = SETTLE_DAYS,
    names: Mapping[str, str] | None = None,
) -> RegistryExport:
    """The de-identified export of ``log`` (nothing is written yet).

    Only administrations of JST months that ended at least ``settle_days`` days before the
    log's head entry was recorded leave (the manifest's ``source.through``); a case the gate
    widens to a quarter leaves only once that quarter, too, ended ``settle_days`` before the
    head; until then it is held back for a later export. The settling period is counted
    from the head entry's ``recorded_at`` (no clock): entries and amendments recorded late
    within it are in a month's first export and do not show as a difference between two
    exports; later ones still can.

    Args:
        log: the clinic's log (read in one snapshot; only current versions).
        key: None (the default): a fresh random key, held in memory for this export only
            and discarded — the result never holds it. A given key (:func:`load_export_key`)
            makes the export byte for byte reproducible; destroy it afterwards and never
            reuse it across exports (PPC Q&A 15-14).
        clinic_id: the clinic's id in the registry (not secret; given by the registry),
            matching ``CLINIC_ID_PATTERN``.
        region: the clinic's prefecture, a JIS X 0401 code ``"01"``-``"47"``.
        k: distinct patients every released group must hold (at least 5).
        l: frequency l-diversity over patients (at least 2): in a group of P patients no
            sensitive value is shown by more than P / l of them.
        settle_days: the settling period, whole days 0-366 (default 14): a month leaves
            once it ended this many days before the log's head entry.
        names: how errors name the arguments, e.g. ``{"k": "--k"}`` (a command line
            passes its options); by default their names here.

    Raises:
        ValidationError: bad arguments, a log without a complete month, or a released group
            below k or l in the final recheck (then nothing is released).

    Example::

        with open_log("sqlite:///clinic.db", create=False) as log:
            export_registry(log, clinic_id="C013-0001", region="13").write("registry-2026-11")
    """
    region = _check_args(clinic_id, region, k, l, settle_days, names=names)
    if key is None:
        key = generate_export_key()
    elif not isinstance(key, ExportKey):
        raise ValidationError(
            [f"key: expected an ExportKey (load_export_key) or None, got {type(key).__name__}"],
            what="argument",
        )
    texts = export_texts()
    with _no_cyclic_gc():
        return _export(log, key, clinic_id, region, k, l, settle_days, texts)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting goes on): an export makes
    millions of small tuples and lists that hold no cycle, and each collection would walk
    all of them again — a third of the time at a million cases. Restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_JST: Final = dt.timezone(dt.timedelta(hours=9))


def complete_through(recorded_at: str, settle_days: int = 0) -> tuple[str, str]:
    """The last JST month that ended at least ``settle_days`` days before ``recorded_at``
    (UTC text; at or before it with 0): ``(YYYY-MM, its end as ISO UTC text)``."""
    head = dt.datetime.fromisoformat(recorded_at.replace("Z", "+00:00"))
    if head.tzinfo is None:
        head = head.replace(tzinfo=dt.UTC)
    local = (head - dt.timedelta(days=settle_days)).astimezone(_JST)
    end = dt.datetime(local.year, local.month, 1, tzinfo=_JST)
    last = end - dt.timedelta(days=1)
    lock = end.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{last.year:04d}-{last.month:02d}", lock


def _quarter_over(period_day: str, through: str) -> bool:
    """Whether the quarter of the JST day ``period_day`` ended by the month ``through`` (so
    it, too, ended the settling period before the head)."""
    year, month = int(period_day[:4]), int(period_day[5:7])
    last = (month - 1) // 3 * 3 + 3
    return f"{year:04d}-{last:02d}" <= through


def _export(  # noqa: PLR0917 - the private half of export_registry
    log: Log,
    key: ExportKey,
    clinic_id: str,
    region: str,
    k: int,
    l: int,  # noqa: E741 - the l of l-diversity
    settle_days: int,
    texts: Mapping[str, Any],
) -> RegistryExport:
    source = registry_source(log)
    if source.data_lock is None:
        raise ValidationError(["log: the log is empty; there is nothing to export"], what="log")
    through, data_lock = complete_through(source.data_lock, settle_days)
    cases, _later = _cases(source.administrations, source.screenings, through)
    if not cases.roots:
        raise ValidationError(
            [
                "log: no administration of a complete month (Japan time) that ended "
                f"{settle_days} days (settle_days) before the log's last entry; only months "
                f"up to {through} may leave — nothing written"
            ],
            what="log",
        )
    wanted = {row[1] for row in source.reactions}
    index = {root: i for i, root in enumerate(cases.roots) if root in wanted}
    reactions, terms, vocabularies, tables = _reactions(source.reactions, index)
    n = len(cases.roots)
    days = [cases.day_of[p] for p in cases.profile_of]
    raw: dict[str, Sequence[object]] = {
        "age_band": cases.ages,
        "region": [region] * n,
        "period": days,
        "route": [cases.route_of[p] for p in cases.profile_of],
    }
    levels = run_gate(
        {name: raw[name] for name in QUASI_IDENTIFIERS}, cases.patients, terms, k=k, l=l
    ).levels
    # A case at a quarter (or left over at the top) whose quarter is not over is held back:
    # a later export releases it once the quarter is complete.
    over = {day: _quarter_over(day, through) for day in set(days)}
    held = 0
    suppressed_groups: set[tuple[object, ...]] = set()
    top = LADDER[-1]
    for i, level in enumerate(levels):
        if (level is None or level >= 1) and not over[days[i]]:
            levels[i] = None
            held += 1
        elif level is None:
            suppressed_groups.add(
                tuple(code(name, top.get(name), raw[name][i]) for name in QUASI_IDENTIFIERS)
            )
    released_levels = [v for v in levels if v is not None]
    suppressed = n - held - len(released_levels)
    case_lines, admin_lines, blanked, patient_of = _released_lines(
        cases, levels, region, k, key.secret
    )
    reaction_lines = _reaction_lines(reactions, cases, levels, key.secret)
    rows = {
        "cases.csv": len(case_lines),
        "administrations.csv": len(admin_lines),
        "reactions.csv": len(reaction_lines),
    }
    files = {
        "cases.csv": _lines(FILE_COLUMNS["cases.csv"], case_lines),
        "administrations.csv": _lines(FILE_COLUMNS["administrations.csv"], admin_lines),
        "reactions.csv": _lines(FILE_COLUMNS["reactions.csv"], reaction_lines),
    }
    groups, min_patients, max_share = _recheck(files, patient_of, k, l)

    gate = GateReport(
        k=k,
        l=l,
        quasi_identifiers=QUASI_IDENTIFIERS,
        groups=groups,
        min_patients_in_group=min_patients,
        max_share_in_group=max_share,
        period_to_quarter=sum(1 for v in released_levels if v >= 1),
        age_band_10=sum(1 for v in released_levels if v == 2),
        age_band_20=sum(1 for v in released_levels if v == 3),
        age_any=sum(1 for v in released_levels if v == 4),
        held_cases=held,
        suppressed_cases=suppressed,
        suppressed_groups=len(suppressed_groups),
        blanked=blanked,
    )
    from . import __version__  # noqa: PLC0415 - the package is loaded by now

    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exointake_version": __version__,
        "vocabulary_version": _versions(vocabularies),
        "severity_table_version": _versions(tables),
        "profile": texts["profile"],
        "statement": texts["statement"],
        "source": {
            "head_seq": source.head[0],
            "head_hash": source.head[1],
            "data_lock": data_lock,
            "through": through,
            "settle_days": settle_days,
        },
        "key_fingerprint": key.fingerprint,
        "clinic_id": clinic_id,
        "region": region,
        "items": texts["items"],
        "method": texts["method"],
        "gate": gate.to_dict(),
        "files": {
            name: {
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": rows[name],
                "columns": list(FILE_COLUMNS[name]),
            }
            for name, data in files.items()
        },
    }
    files[MANIFEST] = (
        json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    ).encode("utf-8")
    return RegistryExport(files=files, manifest=json.loads(files[MANIFEST]), gate=gate)
