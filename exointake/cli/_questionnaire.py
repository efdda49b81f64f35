"""``exointake questionnaire show``."""

from __future__ import annotations

import argparse

from .. import Lang, Questionnaire, load_questionnaire
from ..questionnaire import ItemType
from ._util import add_group, add_lang, print_json

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``questionnaire`` and its sub-commands."""
    qsub = add_group(sub, "questionnaire", help="show bundled questionnaires")
    show = qsub.add_parser("show", help="print a questionnaire")
    show.add_argument("id", nargs="?", default="exosome-intake", help="questionnaire id")
    show.add_argument(
        "--version", dest="qversion", default=None, help="version (newest if omitted)"
    )
    add_lang(show)
    show.add_argument("--json", action="store_true", help="print the questionnaire as JSON")
    show.set_defaults(func=_show)


def _show(args: argparse.Namespace) -> int:
    q = load_questionnaire(args.id, args.qversion)
    if args.json:
        print_json(q.to_dict())
        return 0
    print(render_text(q, Lang(args.lang)))
    return 0


def render_text(q: Questionnaire, lang: Lang) -> str:
    """A questionnaire as readable text, one numbered item a line."""
    lines = [f"{q.title.get(lang)}  ({q.id} v{q.version}, sha256 {q.sha256[:12]}…)"]
    if q.description is not None:
        lines.append(q.description.get(lang))
    lines.append("")
    for n, item in enumerate(q.items, 1):
        flags = []
        if item.required:
            flags.append("required" if lang is Lang.EN else "必須")
        if item.routes:
            flags.append("/".join(r.value for r in item.routes))
        for cond in item.enable_when:
            flags.append(f"if {cond.question} {cond.operator.value} {cond.answer!r}")
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(f"{n:>2}. {item.text.get(lang)}  <{item.link_id}: {item.type.value}>{suffix}")
        if item.type in (ItemType.CHOICE, ItemType.MULTI_CHOICE):
            lines.extend(f"      - {c.code}: {c.label.get(lang)}" for c in item.choices)
        if item.allow_unknown:
            lines.append("      - unknown: " + ("わからない" if lang is Lang.JA else "don't know"))
    return "\n".join(lines)
