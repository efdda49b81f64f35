"""The registry export's format: its files, their columns, the manifest's name and version.

The one place the exporter (:mod:`exointake._registry_export`), the registry
(:mod:`exointake._registry_store`) and the pooled report (:mod:`exointake._pooled`) take the
format from. Version 2 (the first released): no patient pseudonym and no days since a lot's
first use (see the guide "Pool data in a registry" for why).
"""

from __future__ import annotations

import csv as _csv
import hashlib as _hashlib
import json as _json
import os as _os
import re as _re
from collections.abc import Iterator as _Iterator
from collections.abc import Mapping
from pathlib import Path as _Path
from typing import Any as _Any
from typing import Final
from typing import NamedTuple as _NamedTuple

from ._errors import ValidationError as _ValidationError

__all__ = [
    "CLINIC_ID_PATTERN",
    "FILES",
    "FILE_COLUMNS",
    "FORMAT",
    "FORMAT_VERSION",
    "GATE_COUNTS",
    "MANIFEST",
    "MAX_SETTLE_DAYS",
    "ROUTES",
    "CheckedExport",
    "ExportFile",
    "case_rows",
    "check_export",
    "export_identity",
    "manifest_errors",
    "read_manifest",
    "read_rows",
]

FORMAT: Final = "exointake-registry-export"
FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
CLINIC_ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
"""A clinic's id in a registry: not secret, given by the registry (never the key's)."""
MAX_SETTLE_DAYS: Final = 366
"""The longest settling period (``source.settle_days``): days a month must have ended
before the log's head entry to leave."""

FILE_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "cases.csv": ("case_key", "age_band", "region", "period", "route"),
    "administrations.csv": (
        "case_key",
        "origin",
        "sourcing",
        "maker",
        "lot",
        "route",
        "site",
        "volume_ml",
    ),
    "reactions.csv": (
        "reaction_key",
        "case_key",
        "minutes_to_onset",
        "symptoms",
        "category",
        "event_kind",
        "ctcae_term",
        "ctcae_meddra_llt",
        "ctcae_grade",
        "brighton_level",
        "serious",
        "seriousness_criteria",
        "outcome",
        "causality",
    ),
}
"""Each CSV file's columns, in order."""
FILES: Final = (*FILE_COLUMNS, MANIFEST)
"""The four files of an export, and nothing else."""

# ============================================================================ reading
# The one reader of an export folder, for the registry's import (:mod:`_registry_store`)
# and the pooled view of export folders (:mod:`_pooled`). Pure Python: no database.


ROUTES: Final = ("iv_drip", "injection_face", "injection_scalp")
"""The ``route`` values an export holds."""
GATE_COUNTS: Final[Mapping[str, tuple[str, ...]]] = {
    "generalised": ("age_any", "age_band_10", "age_band_20", "period_to_quarter"),
    "held": ("cases",),
    "suppressed": ("cases", "groups"),
    "blanked": ("lot", "maker", "volume_ml"),
}
"""The manifest's ``gate`` counts (CONTRACT v2): each object and its keys."""
_GATE_KEYS: Final = frozenset(
    {
        "k",
        "l",
        "quasi_identifiers",
        "sensitive_values",
        "groups",
        "min_patients_in_group",
        "max_share_in_group",
        *GATE_COUNTS,
    }
)
_OLD_GATE_KEYS: Final = frozenset({"min_distinct_terms_in_group", "sensitive_attribute"})
_MAX_MANIFEST: Final = 4 * 1024 * 1024
_CHUNK: Final = 1 << 20
_HEX64: Final = _re.compile(r"[0-9a-f]{64}")
_REGION: Final = _re.compile(r"0[1-9]|[1-3][0-9]|4[0-7]")
_MONTH: Final = _re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_QUARTER: Final = _re.compile(r"[0-9]{4}-Q[1-4]")
_UTC: Final = _re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_CLINIC: Final = _re.compile(CLINIC_ID_PATTERN)


class ExportFile(_NamedTuple):
    """One CSV file of an export as :func:`check_export` found it."""

    name: str
    path: _Path
    sha256: str
    rows: int
    """Data rows (without the header)."""
    quoted: bool
    """It holds a quote character (its records are read with the csv module)."""


class CheckedExport(_NamedTuple):
    """An export folder whose manifest (v2) and files agree (see :func:`check_export`)."""

    folder: _Path
    manifest: Mapping[str, _Any]
    manifest_bytes: bytes
    manifest_sha256: str
    """SHA-256 of ``manifest.json``'s bytes: the export's identity."""
    clinic_id: str
    region: str
    head_seq: int
    head_hash: str
    data_lock: str
    """``source.data_lock``: the end of the last complete month exported (ISO UTC)."""
    through: str
    """``source.through``: that month, ``YYYY-MM``."""
    files: tuple[ExportFile, ...]
    """``cases.csv``, ``administrations.csv``, ``reactions.csv``, in that order."""

    def file(self, name: str) -> ExportFile:
        """The checked file ``name`` (one of :data:`FILE_COLUMNS`)."""
        return self.files[tuple(FILE_COLUMNS).index(name)]


def _bad(errors: str | list[str]) -> _ValidationError:
    return _ValidationError([errors] if isinstance(errors, str) else errors, what="registry export")


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def manifest_errors(m: Mapping[str, _Any]) -> list[str]:
    """What is wrong with a parsed ``manifest.json`` (CONTRACT v2), each naming the field;
    an old draft's manifest (no ``source.through``, the old gate keys) is refused."""
    errors: list[str] = []
    where = "manifest.json"
    if m.get("format") != FORMAT:
        errors.append(f"{where}: format: expected {FORMAT!r}")
    version = m.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        errors.append(
            f"{where}: format_version: expected {FORMAT_VERSION} (this exointake reads no other)"
        )
    clinic = m.get("clinic_id")
    if not isinstance(clinic, str) or not _CLINIC.fullmatch(clinic):
        errors.append(f"{where}: clinic_id: expected an id matching {CLINIC_ID_PATTERN}")
    fingerprint = m.get("key_fingerprint")
    if not isinstance(fingerprint, str) or not (
        fingerprint.startswith("sha256:") and _HEX64.fullmatch(fingerprint[7:])
    ):
        errors.append(f"{where}: key_fingerprint: expected 'sha256:' and 64 hex")
    region = m.get("region")
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        errors.append(f"{where}: region: expected a prefecture code 01-47")
    errors += _source_errors(m.get("source"))
    errors += _gate_errors(m.get("gate"))
    files = m.get("files")
    if not isinstance(files, dict):
        errors.append(f"{where}: files: expected an object")
        return errors
    extra = sorted(set(files) - set(FILE_COLUMNS))
    if extra:
        errors.append(f"{where}: files: unexpected file {extra[0]!r}")
    for name, columns in FILE_COLUMNS.items():
        entry = files.get(name)
        at = f"{where}: files.{name}"
        if not isinstance(entry, dict):
            errors.append(f"{at}: missing")
            continue
        digest = entry.get("sha256")
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
            errors.append(f"{at}.sha256: expected 64 lowercase hex")
        if not _whole(entry.get("rows")):
            errors.append(f"{at}.rows: expected a whole number")
        if entry.get("columns") != list(columns):
            errors.append(f"{at}.columns: expected {','.join(columns)}")
    return errors


def _source_errors(source: object) -> list[str]:
    where = "manifest.json"
    errors: list[str] = []
    if not isinstance(source, dict):
        return [f"{where}: source: expected an object"]
    if not _whole(source.get("head_seq")):
        errors.append(f"{where}: source.head_seq: expected a whole number")
    head_hash = source.get("head_hash")
    if not isinstance(head_hash, str) or not _HEX64.fullmatch(head_hash):
        errors.append(f"{where}: source.head_hash: expected 64 lowercase hex")
    lock = source.get("data_lock")
    if not isinstance(lock, str) or not _UTC.fullmatch(lock):
        errors.append(f"{where}: source.data_lock: expected ISO UTC text YYYY-MM-DDTHH:MM:SSZ")
    through = source.get("through")
    if "through" not in source:
        errors.append(
            f"{where}: source.through: missing: an export of the old draft format, "
            "refused (export again with this exointake)"
        )
    elif not isinstance(through, str) or not _MONTH.fullmatch(through):
        errors.append(f"{where}: source.through: expected a month YYYY-MM")
    settle = source.get("settle_days")
    if "settle_days" not in source:
        errors.append(
            f"{where}: source.settle_days: missing: an export made before the settling "
            "period, refused (export again with this exointake)"
        )
    elif not isinstance(settle, int) or not _whole(settle) or settle > MAX_SETTLE_DAYS:
        errors.append(
            f"{where}: source.settle_days: expected a whole number of days 0-{MAX_SETTLE_DAYS}"
        )
    return errors


def _gate_errors(gate: object) -> list[str]:
    where = "manifest.json: gate"
    if not isinstance(gate, dict):
        return [f"{where}: expected an object"]
    errors: list[str] = []
    old = sorted(set(gate) & _OLD_GATE_KEYS)
    if old or not isinstance(gate.get("held"), dict):
        name = old[0] if old else "held"
        errors.append(
            f"{where}.{name}: an export of the old draft format (gate without held, with "
            f"{', '.join(sorted(_OLD_GATE_KEYS))}), refused (export again with this exointake)"
        )
    for key in sorted(set(gate) - _GATE_KEYS - _OLD_GATE_KEYS):
        errors.append(f"{where}: unexpected key {key!r}")
    for key in ("k", "l", "groups", "min_patients_in_group"):
        if not _whole(gate.get(key)):
            errors.append(f"{where}.{key}: expected a whole number")
    share = gate.get("max_share_in_group")
    if share is not None and (
        isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1
    ):
        errors.append(f"{where}.max_share_in_group: expected a number from 0 to 1, or null")
    qi = gate.get("quasi_identifiers")
    if not isinstance(qi, list) or not all(isinstance(q, str) for q in qi):
        errors.append(f"{where}.quasi_identifiers: expected a list of column names")
    if not isinstance(gate.get("sensitive_values"), str):
        errors.append(f"{where}.sensitive_values: expected text")
    for name, keys in GATE_COUNTS.items():
        value = gate.get(name)
        if name == "held" and not isinstance(value, dict):
            continue  # said above
        if not isinstance(value, dict) or sorted(value) != sorted(keys):
            errors.append(f"{where}.{name}: expected the counts {', '.join(keys)}")
        elif not all(_whole(v) for v in value.values()):
            errors.append(f"{where}.{name}: expected whole numbers")
    return errors


def read_manifest(folder: _Path) -> tuple[bytes, dict[str, _Any]]:
    """``manifest.json``'s bytes and object: UTF-8 JSON in the canonical form (its bytes
    are the export's identity), at most 4 MiB. Raises :class:`ValidationError`."""
    path = folder / MANIFEST
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_MANIFEST + 1)
    except FileNotFoundError:
        raise _bad(f"{MANIFEST}: missing from {folder}") from None
    except OSError as exc:
        raise _bad(f"{MANIFEST}: cannot be read ({exc.strerror})") from None
    if len(data) > _MAX_MANIFEST:
        raise _bad(f"{MANIFEST}: larger than {_MAX_MANIFEST} bytes")
    try:
        obj = _json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad(f"{MANIFEST}: not valid UTF-8 JSON") from None
    if not isinstance(obj, dict):
        raise _bad(f"{MANIFEST}: expected a JSON object")
    canonical = _json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    if canonical.encode("utf-8") != data:
        raise _bad(
            f"{MANIFEST}: not in the canonical form (sorted keys, 2-space indent, UTF-8, a "
            "final newline): its bytes are the export's identity"
        )
    return data, obj


def _check_file(path: _Path, name: str, sha256: str, rows: int) -> ExportFile:
    columns = FILE_COLUMNS[name]
    digest = _hashlib.sha256()
    newlines = 0
    quoted = False
    first = b""
    last = b"\n"
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                newlines += chunk.count(b"\n")
                quoted = quoted or b'"' in chunk
                if len(first) < 4096 and b"\n" not in first:
                    first += chunk[:4096]
                last = chunk[-1:]
    except FileNotFoundError:
        raise _bad(f"{name}: missing from {path.parent}") from None
    except OSError as exc:
        raise _bad(f"{name}: cannot be read ({exc.strerror})") from None
    if digest.hexdigest() != sha256:
        raise _bad(
            f"{name}: its SHA-256 is not the manifest's (files.{name}.sha256): the file was "
            "changed after the export; nothing was read"
        )
    if first.split(b"\n", 1)[0] != ",".join(columns).encode("ascii"):
        raise _bad(f"{name}: line 1: expected the header {','.join(columns)}")
    if quoted:  # a quoted field may hold a line break: count records as CSV does
        try:
            with path.open(encoding="utf-8", newline="") as text:
                found = sum(1 for _ in _csv.reader(text)) - 1
        except (UnicodeDecodeError, _csv.Error):
            raise _bad(f"{name}: not UTF-8 CSV") from None
    else:
        found = newlines - 1 + (last != b"\n")
    if found != rows:
        raise _bad(
            f"{name}: {found} data rows, the manifest says {rows} (files.{name}.rows); "
            "nothing was read"
        )
    return ExportFile(name, path, sha256, rows, quoted)


def check_export(folder: str | _os.PathLike[str]) -> CheckedExport:
    """Check an export folder before reading a row: ``manifest.json`` (canonical JSON,
    the v2 fields — format and version, ``clinic_id`` matching :data:`CLINIC_ID_PATTERN`,
    region, ``source`` head, ``data_lock`` and ``through``, the gate's figures and counts,
    each file's entry) and each CSV file against it (SHA-256, header = :data:`FILE_COLUMNS`,
    data rows), and as many administrations as cases. Streams the files (a registry
    import checks a million rows this way).

    Raises:
        ValidationError: anything missing, malformed or not matching, naming the file and
            field (never a value); an old draft's manifest is refused.
    """
    path = _Path(folder)
    if not path.is_dir():
        raise _bad(f"{path}: not a folder (expected an export folder with {', '.join(FILES)})")
    data, manifest = read_manifest(path)
    errors = manifest_errors(manifest)
    if errors:
        raise _bad(errors)
    meta = manifest["files"]
    files = tuple(
        _check_file(path / name, name, meta[name]["sha256"], meta[name]["rows"])
        for name in FILE_COLUMNS
    )
    if files[0].rows != files[1].rows:
        raise _bad(
            f"administrations.csv: {files[1].rows} rows for {files[0].rows} cases: an export "
            "holds one administration per case"
        )
    return CheckedExport(
        folder=path,
        manifest=manifest,
        manifest_bytes=data,
        manifest_sha256=_hashlib.sha256(data).hexdigest(),
        **export_identity(manifest),
        files=files,
    )


def export_identity(manifest: Mapping[str, _Any]) -> dict[str, _Any]:
    """What names an export in a checked manifest: ``clinic_id``, ``region`` and the
    source's ``head_seq``, ``head_hash``, ``data_lock`` and ``through``."""
    source = manifest["source"]
    return {
        "clinic_id": manifest["clinic_id"],
        "region": manifest["region"],
        **{name: source[name] for name in ("head_seq", "head_hash", "data_lock", "through")},
    }


def read_rows(file: ExportFile) -> _Iterator[list[str]]:
    """The data rows of a checked file, each with :data:`FILE_COLUMNS`' number of fields
    (an empty field: not recorded). Raises :class:`ValidationError` naming the line."""
    width = len(FILE_COLUMNS[file.name])
    try:
        with file.path.open(encoding="utf-8", newline="") as text:
            next(text, None)
            if file.quoted:
                rows: _Iterator[list[str]] = _csv.reader(text)
                n = 1
                for row in rows:
                    n += 1
                    if len(row) != width:
                        raise _bad(
                            f"{file.name}: line {n}: expected {width} fields, got {len(row)}"
                        )
                    yield row
                return
            for n, line in enumerate(text, start=2):
                row = line.rstrip("\n").split(",")
                if len(row) != width:
                    raise _bad(f"{file.name}: line {n}: expected {width} fields, got {len(row)}")
                yield row
    except UnicodeDecodeError:
        raise _bad(f"{file.name}: not valid UTF-8") from None
    except _csv.Error:
        raise _bad(f"{file.name}: not well-formed CSV") from None


def case_rows(export: CheckedExport) -> _Iterator[tuple[list[str], list[str]]]:
    """Each case's ``cases.csv`` and ``administrations.csv`` rows, paired line by line:
    both files are sorted by ``case_key`` with one administration per case, so line N of
    each must name the same case by the same route; a case's period must have ended by
    the month the export runs through (``source.through``). Raises
    :class:`ValidationError` naming the line."""
    cases, administrations = export.files[0], export.files[1]
    period_c = FILE_COLUMNS["cases.csv"].index("period")
    route_c = FILE_COLUMNS["cases.csv"].index("route")
    route_a = FILE_COLUMNS["administrations.csv"].index("route")
    pairs = zip(read_rows(cases), read_rows(administrations), strict=True)
    for n, (c, a) in enumerate(pairs, start=2):
        if c[0] != a[0]:
            raise _bad(
                f"administrations.csv: line {n}: case_key: not the case on line {n} of "
                "cases.csv (both files hold one row per case, sorted by case_key)"
            )
        if c[route_c] != a[route_a]:
            raise _bad(f"administrations.csv: line {n}: route: not its case's route in cases.csv")
        last = _last_month(c[period_c])
        if last is None:
            raise _bad(f"cases.csv: line {n}: period: expected YYYY-MM or YYYY-Qn")
        if last > export.through:
            raise _bad(
                f"cases.csv: line {n}: period: ends after the month the export runs through "
                "(manifest source.through)"
            )
        yield c, a


def _last_month(period: str) -> str | None:
    """The last month ``YYYY-MM`` of a period ``YYYY-MM`` or ``YYYY-Qn``, None if neither."""
    if _MONTH.fullmatch(period):
        return period
    if _QUARTER.fullmatch(period):
        return f"{period[:4]}-{3 * int(period[6]):02d}"
    return None
