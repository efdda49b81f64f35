"""``exointake grade``: grade a reaction described in a JSON file."""

from __future__ import annotations

import argparse
import enum

from .. import (
    Grade,
    Lang,
    Reaction,
    Route,
    ValidationError,
    grade,
    load_severity_table,
    load_vocabulary,
    parse_date,
)
from ..grading import (
    Action,
    CtcaeGrade,
    SeverityTable,
    Vocabulary,
    load_labels,
)
from ._util import add_lang, print_json, read_json_file

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
    add_lang(parser)
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


def _label(group: str, key: enum.Enum, lang: Lang) -> str:
    """The staff-facing label of ``key`` (bundled data: ``exointake/data/labels``)."""
    return load_labels().text(f"grade.{group}", key, lang)


def _w(key: str, lang: Lang) -> str:
    return load_labels().text("grade.words", key, lang)


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
        + (f" ({_label('extents', s.extent, lang)})" if s.extent else "")
        for s in reaction.symptoms
    )
    lines = [f"{_w('symptoms', lang)}: {symptoms}"]
    if result.route is not None:
        lines.append(f"{_w('route', lang)}: {_label('routes', result.route, lang)}")
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
        f"{_w('event_kind', lang)}: {_label('event_kinds', result.event_kind, lang)} "
        f"({result.event_kind.value})"
    )
    signs = sep.join(
        f"{_symptom_label(b.code, vocabulary, lang)} "
        f"({_label('organ_systems', b.system, lang)}, {_label('brighton_roles', b.role, lang)})"
        for b in result.brighton_signs
    )
    lines.append(
        f"{_w('brighton', lang)} ({result.brighton_version}): {_w('level', lang)} "
        f"{result.brighton_level} — {_label('brighton_reasons', result.brighton_reason, lang)}; "
        f"{_w('signs', lang)}: {signs or _w('none', lang)}"
    )
    lines.extend(f"  ({_label('brighton_notes', n, lang)})" for n in result.brighton_notes)
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
