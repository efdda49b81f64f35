"""``exointake registry``: the multi-clinic registry (PostgreSQL).

``registry import --db URL DIR...`` imports exports written by ``exointake export
registry`` (whose one-off key is made and discarded there); ``registry exports`` lists
what was imported; ``registry rates`` prints pooled rates per 1,000 with exact
intervals; ``registry signals`` the lot signals across clinics (as ``signal check``
prints them). Exit 2 for bad input, a refused or tampered export, or a database that
cannot be used.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import Lang, Text, ValidationError
from ._signal import add_settings_options, settings_from
from ._util import add_group, add_lang, print_json

if TYPE_CHECKING:
    from ..registry import ImportResult, PooledRate
    from ..signals import Rate

__all__ = ["register"]

DIMENSIONS = ("product", "maker", "lot", "route")

_WORDS: Mapping[str, Text] = {
    "product": Text("製品", "product"),
    "maker": Text("製造元", "maker"),
    "lot": Text("ロット", "lot"),
    "route": Text("投与経路", "route"),
    "administrations": Text("投与数", "administrations"),
    "with_reaction": Text("反応のあった投与 千回あたり(95%CI)", "with reaction per 1,000 (95% CI)"),
    "reactions": Text("反応 千回あたり(95%CI)", "reactions per 1,000 (95% CI)"),
    "none": Text("（記録なし）", "(not recorded)"),
    "all": Text("全体", "all"),
}


def _w(key: str, lang: Lang) -> str:
    return _WORDS[key].get(lang)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``registry`` and its sub-commands."""
    rsub = add_group(
        sub,
        "registry",
        help="the multi-clinic registry: imports, pooled rates and lot signals",
        description="Pool clinics' de-identified exports (匿名加工情報) in PostgreSQL and run "
        "rates and lot signals across them.",
    )

    imp = rsub.add_parser(
        "import",
        help="import export folders (checked first; idempotent; newer replaces older)",
        description="Import each export folder: manifest and file hashes, headers and row "
        "counts are checked before the database is touched; the same export twice changes "
        "nothing; a clinic's newer export replaces its older one; anything else is refused.",
    )
    _db(imp)
    imp.add_argument("folders", nargs="+", metavar="DIR", help="an export folder")
    imp.add_argument("--json", action="store_true", help="print the results as JSON")
    imp.set_defaults(func=_import)

    exp = rsub.add_parser("exports", help="the exports imported, by clinic")
    _db(exp)
    exp.add_argument("--json", action="store_true", help="print JSON")
    exp.set_defaults(func=_exports)

    rates = rsub.add_parser(
        "rates",
        help="pooled reaction rates per 1,000 with exact intervals",
        description="Reactions per 1,000 administrations across clinics, by product, "
        "maker, lot and/or route: administrations with a reaction (Clopper-Pearson) and "
        "reactions (Garwood).",
    )
    _db(rates)
    rates.add_argument(
        "--by",
        action="append",
        choices=DIMENSIONS,
        default=None,
        help="group by this (repeatable, in order; default lot)",
    )
    rates.add_argument("--confidence", type=float, default=0.95, help="default 0.95")
    rates.add_argument("--json", action="store_true", help="print JSON")
    add_lang(rates)
    rates.set_defaults(func=_rates)

    sig = rsub.add_parser(
        "signals",
        help="lot signals across clinics (as `signal check` prints them)",
        description="The lot signals of `exointake signal check`, on one series pooled "
        "from every clinic: a lot is compared with the other lots the same clinic used in "
        "the same period by the same route; a lot used at several clinics is one lot.",
    )
    _db(sig)
    sig.add_argument("--json", action="store_true", help="print the report as JSON")
    add_lang(sig)
    add_settings_options(sig)
    sig.add_argument("--signals-only", action="store_true", help="list only crossed signals")
    sig.set_defaults(func=_signals)


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", required=True, metavar="URL", help="the registry: postgresql+psycopg://…"
    )


def _import(args: argparse.Namespace) -> int:
    from ..registry import open_registry

    results: list[ImportResult] = []
    with open_registry(args.db) as reg:
        for folder in args.folders:
            try:
                result = reg.import_export(Path(folder))
            except ValidationError as exc:
                done = f" ({len(results)} earlier folder(s) imported)" if results else ""
                raise ValidationError(
                    [f"{folder}: {e}{done}" for e in exc.errors], what=exc.what
                ) from None
            results.append(result)
            if not args.json:
                print(f"{folder}: {result.message}")
    if args.json:
        print_json(
            [{"folder": f, **r.to_dict()} for f, r in zip(args.folders, results, strict=True)]
        )
    return 0


def _exports(args: argparse.Namespace) -> int:
    from ..registry import open_registry

    with open_registry(args.db) as reg:
        exports = reg.exports()
    if args.json:
        print_json([e.to_dict() for e in exports])
        return 0
    print("clinic_id | region | head | manifest sha256 | current | cases | reactions | imported")
    for e in exports:
        print(
            f"{e.clinic_id} | {e.region} | {e.head_seq} | {e.manifest_sha256} | "
            f"{'yes' if e.current else 'no'} | {e.cases} | {e.reactions} | {e.imported_at}"
        )
    return 0


def _rate_text(rate: Rate) -> str:
    if rate.per_1000 is None or rate.lower is None or rate.upper is None:
        return "-"
    star = "*" if rate.one_sided else ""
    return f"{rate.per_1000:.1f} ({rate.lower:.1f}-{rate.upper:.1f}{star})"


def _rates(args: argparse.Namespace) -> int:
    from ..registry import open_registry

    by: Sequence[str] = args.by or ["lot"]
    lang = Lang(args.lang)
    with open_registry(args.db) as reg:
        rows = reg.rates(by=by, confidence=args.confidence)
    if args.json:
        print_json({"by": list(by), "rows": [r.to_dict() for r in rows]})
        return 0
    print(_rate_table(rows, by, lang))
    return 0


def _rate_table(rows: Sequence[PooledRate], by: Sequence[str], lang: Lang) -> str:
    head = [_w(d, lang) for d in by] or [_w("all", lang)]
    lines = [
        " | ".join(
            [*head, *(_w(k, lang) for k in ("administrations", "with_reaction", "reactions"))]
        )
    ]
    for r in rows:
        group = [_w("none", lang) if v is None else v for v in r.group.values()] or [
            _w("all", lang)
        ]
        lines.append(
            " | ".join(
                [
                    *group,
                    str(r.administrations),
                    _rate_text(r.with_reaction),
                    _rate_text(r.reactions),
                ]
            )
        )
    return "\n".join(lines)


def _signals(args: argparse.Namespace) -> int:
    from ..registry import open_registry
    from ._signal import render_table

    settings = settings_from(args)
    with open_registry(args.db) as reg:
        report = reg.signals(settings)
    if args.json:
        print_json(report.to_dict())
    else:
        print(render_table(report, Lang(args.lang), signals_only=args.signals_only))
    return 0
