"""``exointake grade``: grade a reaction described in a JSON file."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from .. import (
    Grade,
    Lang,
    Reaction,
    Route,
    Text,
    ValidationError,
    grade,
    load_severity_table,
    load_vocabulary,
    parse_date,
)
from ..grading import (
    Action,
    BrightonNote,
    BrightonReason,
    BrightonRole,
    CtcaeGrade,
    EventKind,
    Extent,
    OrganSystem,
    SeverityTable,
    Vocabulary,
)
from ._util import print_json, read_json_file

__all__ = ["register", "render_text"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``grade``."""
    parser = sub.add_parser(
        "grade",
        help="grade a reaction (article category, Brighton, CTCAE, ICH E2A, actions)",
        description="Grade a reaction read from a JSON file, e.g. "
        '{"symptoms": ["hypotension", {"code": "urticaria", "extent": "generalized"}], '
        '"onset_minutes": 10}. Optional keys: route, interventions, hospitalization, '
        "outcome, duration_days, worsening and the other Reaction fields.",
    )
    parser.add_argument("--input", required=True, metavar="FILE.json", help="the reaction")
    parser.add_argument(
        "--route",
        choices=[r.value for r in Route],
        default=None,
        help="how the product was given (may also be the input's 'route' key)",
    )
    parser.add_argument(
        "--on",
        default=None,
        metavar="DATE",
        help="date of the reaction, for due dates (YYYY-MM-DD or 令和8年11月25日)",
    )
    parser.add_argument(
        "--persistence-days",
        type=int,
        default=None,
        metavar="N",
        help="local symptoms lasting longer than N days need the physician (default 3)",
    )
    parser.add_argument("--lang", choices=[lang.value for lang in Lang], default="ja")
    parser.add_argument("--json", action="store_true", help="print the grade as JSON")
    parser.set_defaults(func=_grade)


def _grade(args: argparse.Namespace) -> int:
    data = read_json_file(args.input, what="reaction")
    on = None if args.on is None else parse_date(args.on, "--on")
    if args.persistence_days is not None and args.persistence_days < 0:
        raise ValidationError(["--persistence-days: expected 0 or more"], what="options")
    # grade() reads the input's optional "route" and refuses one that differs from --route.
    result = grade(data, route=args.route, on=on, persistence_days=args.persistence_days)
    if args.json:
        print_json(result.to_dict())
    else:
        reaction = Reaction.from_dict({k: v for k, v in data.items() if k != "route"})
        print(render_text(result, reaction, Lang(args.lang)))
    return 0


# ---------------------------------------------------------------------------- text

_WORDS: Mapping[str, Text] = {
    "category": Text("記事の分類", "Article category"),
    "escalated": Text(
        "（皮膚症状と循環器・呼吸器症状の組み合わせにより引き上げ）",
        "(raised: skin signs with a cardiovascular or respiratory sign)",
    ),
    "brighton": Text("ブライトン分類", "Brighton"),
    "level": Text("レベル", "level"),
    "signs": Text("根拠となる所見", "signs counted"),
    "none": Text("なし", "none"),
    "ctcae_grade": Text("グレード", "grade"),
    "ctcae_none": Text("グレード未確定", "grade not determined"),
    "term_none": Text("用語未確定", "term not determined"),
    "record": Text("記録が必要", "record"),
    "serious": Text("重篤性 (ICH E2A)", "Serious (ICH E2A)"),
    "yes": Text("重篤", "yes"),
    "no": Text("非重篤", "no"),
    "open": Text("未確定", "not decided"),
    "undecided": Text("未確定の基準", "not yet decided"),
    "actions": Text("対応", "Actions"),
    "today": Text("本日中", "today"),
    "within": Text("{n}日以内", "within {n} day(s)"),
    "by": Text("期限 {d}", "by {d}"),
    "guidance": Text("患者さんへの説明", "Patient guidance"),
    "versions": Text(
        "重症度表 {t}、症状語彙 {v} に基づく判定",
        "Graded against severity table {t}, vocabulary {v}",
    ),
    "symptoms": Text("症状", "Symptoms"),
    "route": Text("投与経路", "Route"),
    "no_category": Text("なし（重症度表の外の事象）", "none (an event outside the severity table)"),
    "event_kind": Text("事象の種類", "Kind of event"),
    "also": Text("併せて", "also"),
    "cutoff": Text("急な発症の目安 {m} 分", "sudden-onset cut-off {m} min"),
}

_KINDS: Mapping[EventKind, Text] = {
    EventKind.TABLE_REACTION: Text("重症度表の反応", "table reaction"),
    EventKind.INFECTION: Text("感染・発熱", "infection or fever"),
    EventKind.NEEDLE_RELATED: Text(
        "針に関連する反応（迷走神経反射・失神・血圧低下のみ）",
        "needle-related (vasovagal, fainting, isolated hypotension)",
    ),
    EventKind.OTHER: Text("その他", "other"),
}

_NOTES: Mapping[BrightonNote, Text] = {
    BrightonNote.MAJOR_COUNTS_AS_MINOR_FOR_LEVEL_3: Text(
        "レベル3の判定に限り、大基準をその器官の小基準としても数える（exointake の規則）",
        "for level 3 only, a major sign also counts as a minor sign of its system "
        "(exointake's rule)",
    ),
    BrightonNote.ONSET_CUTOFF: Text(
        "発症が急な発症の目安（exointake の既定値）より遅い",
        "onset later than the sudden-onset cut-off (exointake's default)",
    ),
}

_BRIGHTON_REASONS: Mapping[BrightonReason, Text] = {
    BrightonReason.CRITERIA_MET: Text("基準を満たす", "criteria met"),
    BrightonReason.ONSET_NOT_DOCUMENTED: Text(
        "所見は基準を満たすが、急な発症が記録されていない",
        "signs meet a level, but a sudden onset is not documented",
    ),
    BrightonReason.PROGRESSION_NOT_DOCUMENTED: Text(
        "所見は基準を満たすが、急速な進行が記録されていない",
        "signs meet a level, but rapid progression is not documented",
    ),
    BrightonReason.REPORTED_INSUFFICIENT: Text(
        "アナフィラキシーとして報告されたが、根拠が不十分",
        "reported as anaphylaxis, insufficient evidence",
    ),
    BrightonReason.ONSET_NOT_SUDDEN: Text(
        "症例に該当しない（急な発症・急速な進行ではない）",
        "not a case (onset not sudden or progression not rapid)",
    ),
    BrightonReason.PROGRESSION_NOT_RAPID: Text(
        "症例に該当しない（急速な進行ではない）",
        "not a case (progression not rapid)",
    ),
    BrightonReason.CRITERIA_NOT_MET: Text(
        "症例に該当しない（記録された所見が基準を満たさない）",
        "not a case (the documented signs meet no level)",
    ),
}


_SYSTEMS: Mapping[OrganSystem, Text] = {
    OrganSystem.INJECTION_SITE: Text("注入部位", "injection site"),
    OrganSystem.DERMATOLOGIC: Text("皮膚・粘膜", "dermatologic"),
    OrganSystem.CARDIOVASCULAR: Text("循環器", "cardiovascular"),
    OrganSystem.RESPIRATORY: Text("呼吸器", "respiratory"),
    OrganSystem.GASTROINTESTINAL: Text("消化器", "gastrointestinal"),
    OrganSystem.LABORATORY: Text("検査", "laboratory"),
    OrganSystem.GENERAL: Text("全身", "general"),
}

_ROLES: Mapping[BrightonRole, Text] = {
    BrightonRole.MAJOR: Text("大基準", "major"),
    BrightonRole.MINOR: Text("小基準", "minor"),
    BrightonRole.COMBINATION: Text("組み合わせ", "combination"),
    BrightonRole.NONE: Text("対象外", "none"),
}

_ROUTES: Mapping[Route, Text] = {
    Route.IV_DRIP: Text("点滴 (iv_drip)", "IV drip (iv_drip)"),
    Route.INJECTION_FACE: Text("注射・顔 (injection_face)", "injection, face (injection_face)"),
    Route.INJECTION_SCALP: Text("頭皮注入 (injection_scalp)", "injection, scalp (injection_scalp)"),
}

_EXTENTS: Mapping[Extent, Text] = {
    Extent.LOCALIZED: Text("局所", "localized"),
    Extent.GENERALIZED: Text("全身", "generalized"),
    Extent.UNKNOWN: Text("範囲不明", "extent unknown"),
}


def _w(key: str, lang: Lang) -> str:
    return _WORDS[key].get(lang)


def _deadline(action: Action, lang: Lang) -> str:
    parts = []
    if action.within_days == 0:
        parts.append(_w("today", lang))
    elif action.within_days is not None:
        parts.append(_w("within", lang).format(n=action.within_days))
    if action.due is not None:
        parts.append(_w("by", lang).format(d=action.due.isoformat()))
    return f"[{', '.join(parts)}] " if parts else ""


def _symptom_label(code: str, vocabulary: Vocabulary, lang: Lang) -> str:
    if code in vocabulary:
        return vocabulary[code].label.get(lang)
    return code  # a Brighton combination criterion, e.g. generalized_itch_with_rash


def _ctcae_text(ctcae: CtcaeGrade, table: SeverityTable, lang: Lang) -> str:
    sep = "、" if lang is Lang.JA else ", "
    term = ctcae.term.value if ctcae.term is not None else _w("term_none", lang)
    if ctcae.grade is not None:
        return f"{term}, {_w('ctcae_grade', lang)} {ctcae.grade}"
    if ctcae.missing:
        missing = sep.join(table.field_labels[m].get(lang) for m in ctcae.missing)
        return f"{term}, {_w('ctcae_none', lang)} ({_w('record', lang)}: {missing})"
    return f"{term}, {_w('ctcae_none', lang)} ({ctcae.reason})"


def render_text(result: Grade, reaction: Reaction, lang: Lang) -> str:
    """A grade as readable text in Japanese or English."""
    vocabulary = load_vocabulary(result.vocabulary_version)
    sep = "、" if lang is Lang.JA else ", "
    symptoms = sep.join(
        _symptom_label(s.code, vocabulary, lang)
        + (f" ({_EXTENTS[s.extent].get(lang)})" if s.extent else "")
        for s in reaction.symptoms
    )
    lines = [f"{_w('symptoms', lang)}: {symptoms}"]
    if result.route is not None:
        lines.append(f"{_w('route', lang)}: {_ROUTES[result.route].get(lang)}")
    if result.category is None or result.frequency is None:
        category = f"{_w('category', lang)}: {_w('no_category', lang)}"
    else:
        category = (
            f"{_w('category', lang)}: {result.category_label.get(lang)} "
            f"({result.category.value}) — {result.frequency.get(lang)}"
        )
    if result.escalated:
        category += " " + _w("escalated", lang)
    lines.append(category)
    lines.append(
        f"{_w('event_kind', lang)}: {_KINDS[result.event_kind].get(lang)} "
        f"({result.event_kind.value})"
    )
    signs = sep.join(
        f"{_symptom_label(b.code, vocabulary, lang)} "
        f"({_SYSTEMS[b.system].get(lang)}, {_ROLES[b.role].get(lang)})"
        for b in result.brighton_signs
    )
    lines.append(
        f"{_w('brighton', lang)} ({result.brighton_version}): {_w('level', lang)} "
        f"{result.brighton_level} — {_BRIGHTON_REASONS[result.brighton_reason].get(lang)}; "
        f"{_w('signs', lang)}: {signs or _w('none', lang)}"
    )
    lines.extend(f"  ({_NOTES[n].get(lang)})" for n in result.brighton_notes)
    if result.sudden_onset_minutes is not None:
        lines.append(f"  ({_w('cutoff', lang).format(m=result.sudden_onset_minutes)})")
    ctcae = result.ctcae
    table = load_severity_table(result.table_version)
    lines.append(f"CTCAE v{ctcae.version}: {_ctcae_text(ctcae, table, lang)}")
    lines.extend(f"  {_w('also', lang)}: {_ctcae_text(o, table, lang)}" for o in result.ctcae_other)
    verdict = "yes" if result.serious else "open" if result.seriousness_unknown else "no"
    serious = f"{_w('serious', lang)}: {_w(verdict, lang)}"
    if result.seriousness_criteria:
        serious += " — " + sep.join(c.label.get(lang) for c in result.seriousness_criteria)
    if result.seriousness_unknown:
        serious += f"; {_w('undecided', lang)}: " + sep.join(
            c.label.get(lang) for c in result.seriousness_unknown
        )
    lines.append(serious)
    lines.append(f"{_w('actions', lang)}:")
    lines.extend(f"  - {_deadline(a, lang)}{a.text.get(lang)}" for a in result.actions)
    lines.append(f"{_w('guidance', lang)}: {result.guidance.get(lang)}")
    lines.append(
        _w("versions", lang).format(t=result.table_version, v=result.vocabulary_version)
        + f"; Brighton {result.brighton_version}, CTCAE v{ctcae.version}"
    )
    return "\n".join(lines)
