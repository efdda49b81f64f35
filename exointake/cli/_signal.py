"""``exointake signal``: lot signals and their critical values.

``signal check --db URL`` prints every lot's tests (exit 0, crossed signals or not; each
crossing is also printed as an alert on stderr); ``signal cv`` prints a critical value and
its attained alpha, to check against the R package *Sequential*. Exit 2 for bad input
(including settings for which no critical value exists).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .. import Lang, Text, ValidationError
from ._util import add_group, add_lang, open_db, print_json

if TYPE_CHECKING:
    from ..log import Alert
    from ..signals import CriticalValue, LotStatus, SignalReport, SignalSettings

__all__ = ["add_settings_options", "register", "render_table", "settings_from"]

DEFAULT_DB = "exointake.db"

_WORDS: Mapping[str, Text] = {
    "lot": Text("ロット", "lot"),
    "outcome": Text("監視項目", "outcome"),
    "method": Text("方法", "method"),
    "status": Text("判定", "status"),
    "cases": Text("事例/期待", "cases/expected"),
    "llr": Text("LLR", "LLR"),
    "cv": Text("CV", "CV"),
    "crossed": Text("超過日・エントリ", "crossed on, entry"),
    "rate": Text("千回あたり(95%CI)", "per 1,000 (95% CI)"),
    "any": Text("全反応", "any reaction"),
    "allergy_or_worse": Text("アレルギー以上", "allergy or worse"),
    "serious": Text("重篤", "serious"),
    "infection": Text("感染", "infection"),
    "binomial": Text("他ロット比較", "vs other lots"),
    "poisson": Text("期待率比較", "vs expected"),
    "no_signal": Text("シグナルなし", "no signal"),
    "signal": Text("シグナル", "SIGNAL"),
    "ended": Text("監視終了", "ended"),
    "untestable": Text("検定不可", "untestable"),
    "summary": Text(
        "ロット {lots} 件・検定 {tests} 件・シグナル {signals} 件（ログ位置 {seq}）",
        "{lots} lots, {tests} tests, {signals} signals (log position {seq})",
    ),
    "designs": Text("臨界値", "critical values"),
    "untestable_summary": Text(
        "検定不可 {n} 件（{lots} ロット）: 同じ日・経路に比較する他のロットがありません。"
        "--expected 反応=率（1,000回あたり）で期待率を設定すると、期待率との比較で検定できます",
        "{n} tests ({lots} lots) could not be run: no other lot given the same day and route. "
        "Set an expected rate (--expected OUTCOME=RATE per 1,000) to test them against it",
    ),
    "multiplicity": Text(
        "実施した検定 {run} 件、各 α {alpha}（多重性の調整なし）: どのロットにも問題がなくても"
        "約 {false} 件の誤ったシグナルが見込まれます。シグナルなしは安全の証明ではなく、"
        "シグナルは不良の証明ではありません",
        "{run} tests run at alpha {alpha} each, nothing adjusted for multiplicity: about "
        "{false} false signals are expected even if every lot is sound. No signal does not "
        "mean safe; a signal is not proof",
    ),
    "alert": Text(
        "警告: ロット {lot} の{outcome}（{method}）がシグナルを超えました: {day}、エントリ {entry}",
        "ALERT: lot {lot} crossed its signal for {outcome} ({method}) on {day} at entry {entry}",
    ),
}


def _w(key: str, lang: Lang) -> str:
    return _WORDS[key].get(lang)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``signal`` and its sub-commands."""
    ssub = add_group(
        sub,
        "signal",
        help="lot signals: check every lot, compute critical values",
        description="Sequential tests (MaxSPRT) of each lot's reactions: against the other "
        "lots, and against an expected rate where one is given.",
    )

    check = ssub.add_parser(
        "check",
        help="every lot's signal status (exit 0; crossings also as alerts on stderr)",
        description="Every lot's signal status, read from the log.",
    )
    check.add_argument(
        "--db",
        default=DEFAULT_DB,
        metavar="URL",
        help=f"database URL or SQLite file path (default: {DEFAULT_DB})",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    add_lang(check)
    add_settings_options(check)
    check.add_argument("--signals-only", action="store_true", help="list only the crossed signals")
    check.set_defaults(func=_check)

    cv = ssub.add_parser(
        "cv",
        help="a MaxSPRT critical value and its attained alpha",
        description="The critical value (log-likelihood-ratio scale) and the exact alpha it "
        "attains, as Sequential's CV.Poisson / CV.Binomial (continuous, no delayed start).",
    )
    cv.add_argument("--model", choices=["poisson", "binomial"], required=True)
    cv.add_argument(
        "--expected", type=float, help="Poisson: expected events at the end (SampleSize)"
    )
    cv.add_argument("--max-events", type=int, help="binomial: maximum events N")
    cv.add_argument("--z", type=float, help="binomial: matching ratio z")
    _test_options(cv)
    cv.add_argument("--json", action="store_true", help="print JSON")
    cv.set_defaults(func=_cv)


def add_settings_options(p: argparse.ArgumentParser) -> None:
    """The options of what lot surveillance tests (``signal check``, ``registry signals``);
    :func:`settings_from` reads them."""
    p.add_argument(
        "--expected",
        action="append",
        default=[],
        metavar="OUTCOME=RATE",
        help="expected reactions per 1,000 administrations for an outcome (any, "
        "allergy_or_worse, serious, infection): adds its Poisson test; repeatable",
    )
    p.add_argument(
        "--outcome",
        action="append",
        default=None,
        metavar="OUTCOME",
        help="monitor only these outcomes (repeatable; default all four)",
    )
    _test_options(p)
    p.add_argument(
        "--max-events",
        type=int,
        default=100,
        help="binomial surveillance length in reactions (default 100)",
    )
    p.add_argument(
        "--design-z",
        type=float,
        default=1.0,
        help="matching ratio the binomial alpha spending is planned for (default 1)",
    )
    p.add_argument(
        "--lot-size",
        type=int,
        default=1000,
        help="Poisson surveillance length in administrations per lot (default 1000)",
    )


def _test_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--min-events",
        type=int,
        default=4,
        help="fewest cases that may signal (default 4, Kulldorff & Silva)",
    )
    p.add_argument("--alpha", type=float, default=0.05, help="type I error (default 0.05)")


def settings_from(args: argparse.Namespace) -> SignalSettings:
    """The :class:`~exointake.signals.SignalSettings` of :func:`add_settings_options`."""
    from ..signals import SignalSettings

    rates: dict[str, float] = {}
    for i, item in enumerate(args.expected):
        name, sep, value = item.partition("=")
        try:
            rates[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ValidationError(
                [f"--expected[{i}]: expected OUTCOME=RATE (e.g. any=20), got {item!r}"],
                what="options",
            )
    kwargs: dict[str, object] = {
        "alpha": args.alpha,
        "min_events": args.min_events,
        "max_events": args.max_events,
        "design_z": args.design_z,
        "lot_size": args.lot_size,
        "expected_per_1000": rates,
    }
    if args.outcome:
        kwargs["outcomes"] = args.outcome
    return SignalSettings(**kwargs)


def _check(args: argparse.Namespace) -> int:
    from ..signals import SignalAlert, check_signals

    lang = Lang(args.lang)
    settings = settings_from(args)
    alerts: list[Alert] = []
    with open_db(args.db, write=False) as log:
        log.on_alert(alerts.append)
        report = check_signals(log, settings)
    for alert in alerts:
        if isinstance(alert, SignalAlert):
            print(
                _w("alert", lang).format(
                    lot=alert.lot,
                    outcome=_w(alert.outcome, lang),
                    method=_w(alert.method, lang),
                    day=alert.crossed_on.isoformat(),
                    entry=alert.entry_id,
                ),
                file=sys.stderr,
            )
    if args.json:
        print_json(report.to_dict())
    else:
        print(render_table(report, lang, signals_only=args.signals_only))
    return 0


def _caveats(report: SignalReport, lang: Lang) -> list[str]:
    """How many tests could not be run, and what the rest mean together."""
    untestable = [r for r in report.rows if r.status.value == "untestable"]
    run = len(report.rows) - len(untestable)
    alpha = report.settings.alpha
    out = []
    if untestable:
        lots = len({r.lot for r in untestable})
        out.append(_w("untestable_summary", lang).format(n=len(untestable), lots=lots))
    out.append(
        _w("multiplicity", lang).format(run=run, alpha=f"{alpha:g}", false=f"{run * alpha:.1f}")
    )
    return out


def render_table(report: SignalReport, lang: Lang, *, signals_only: bool = False) -> str:
    """The status table of a signal report, in ``lang`` (what ``signal check`` prints)."""
    rows: Sequence[LotStatus] = report.signals if signals_only else report.rows
    lots = len({r.lot for r in report.rows})
    lines = [
        _w("summary", lang).format(
            lots=lots, tests=len(report.rows), signals=len(report.signals), seq=report.head_seq
        ),
        f"{_w('designs', lang)}: " + "; ".join(_design(d) for d in report.designs),
        *_caveats(report, lang),
        "",
        " | ".join(
            _w(k, lang) for k in ("lot", "outcome", "method", "status", "cases", "llr", "cv")
        )
        + f" | {_w('rate', lang)} | {_w('crossed', lang)}",
    ]
    for r in rows:
        crossed = "-" if r.crossed_on is None else f"{r.crossed_on.isoformat()} {r.crossed_entry}"
        cv = "-" if r.cv is None else f"{r.cv:.4f}"
        if r.boundary is not None and r.status.value != "untestable":
            cv += f" (>= {r.boundary})"
        rate = r.rate
        per = "-" if rate.per_1000 is None else f"{rate.per_1000:.1f}"
        interval = (
            ""
            if rate.lower is None or rate.upper is None
            else f" ({rate.lower:.1f}-{rate.upper:.1f}{'*' if rate.one_sided else ''})"
        )
        lines.append(
            f"{r.lot} | {_w(r.outcome.value, lang)} | {_w(r.method.value, lang)} | "
            f"{_w(r.status.value, lang)} | {r.cases}/{r.expected:.2f} | {r.llr:.3f} | {cv} | "
            f"{per}{interval} | {crossed}"
        )
    return "\n".join(lines)


def _design(d: CriticalValue) -> str:
    where = (
        f"T={d.surveillance:g}"
        if d.method.value == "poisson"
        else f"N={d.surveillance:g}, z={d.z:g}"
    )
    return (
        f"{d.method.value} {where}, M={d.min_events}: CV {d.cv:.6f}, alpha {d.attained_alpha:.6f}"
    )


def _cv(args: argparse.Namespace) -> int:
    from ..signals import binomial_cv, poisson_cv

    if args.model == "poisson":
        if args.expected is None:
            raise ValidationError(
                ["--expected: the Poisson model needs the expected events (SampleSize)"],
                what="options",
            )
        result = poisson_cv(args.expected, min_events=args.min_events, alpha=args.alpha)
    else:
        missing = [
            f"--{name.replace('_', '-')}: the binomial model needs it"
            for name in ("max_events", "z")
            if getattr(args, name) is None
        ]
        if missing:
            raise ValidationError(missing, what="options")
        result = binomial_cv(
            args.max_events, z=args.z, min_events=args.min_events, alpha=args.alpha
        )
    if args.json:
        print_json(result.to_dict())
    else:
        print(f"CV {result.cv:.6f}  attained alpha {result.attained_alpha:.8f}")
    return 0
