"""``exointake screen``: screen a patient's answers for a route."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from .. import (
    Answers,
    Decision,
    Lang,
    Questionnaire,
    Route,
    RuleSet,
    ScreeningResult,
    ValidationError,
    load_questionnaire,
    parse_date,
    screen,
)
from ..questionnaire import QuestionnaireRef, answer_to_json
from ..screening import default_ruleset
from ._util import add_lang, print_json, read_json_file

__all__ = ["decision_label", "load_answers_file", "register", "render_result", "screen_file"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``screen``."""
    p = sub.add_parser(
        "screen",
        help="screen intake answers for a route",
        description="Screen answers (a JSON object link_id -> value, or a pinned answers "
        "document) for a route. Exit 0 when screening ran, whatever the decision.",
    )
    p.add_argument("--answers", required=True, metavar="FILE.json", help="the answers")
    p.add_argument("--route", required=True, choices=[r.value for r in Route])
    p.add_argument("--ruleset", metavar="FILE.json", help="a rule set (default: bundled)")
    p.add_argument(
        "--questionnaire",
        metavar="FILE.json",
        help="the clinic's questionnaire (e.g. a variant that extends the bundled one); "
        "default: the bundled one the answers are pinned to, or the newest",
    )
    add_lang(p)
    p.add_argument("--on", metavar="DATE", help="screening day (default: today in Japan)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_run)


def load_answers_file(
    path: str | Path, route: Route | None, questionnaire: Questionnaire | None = None
) -> tuple[Questionnaire, Answers]:
    """Read answers: a pinned document is checked against its version; a plain map is
    pinned to ``questionnaire`` (default: the newest bundled one). Missing answers are
    allowed (incomplete)."""
    data = read_json_file(path, what="answers")
    if not isinstance(data, Mapping):
        raise ValidationError(["answers: expected a JSON object"], what="answers")
    if isinstance(data.get("questionnaire"), Mapping) and "answers" in data:
        ref = data["questionnaire"]
        q = (
            questionnaire
            if questionnaire is not None
            else load_questionnaire(str(ref.get("id")), str(ref.get("version")))
        )
        answers = q.load_answers(data, partial=True)
        if route is not None and answers.route is None:
            answers = q.answers(data["answers"], route=route, partial=True)
        return q, answers
    q = questionnaire if questionnaire is not None else load_questionnaire()
    return q, q.answers(data, route=route, partial=True)


def screen_file(
    answers_path: str | Path,
    route: Route,
    *,
    questionnaire: str | None = None,
    ruleset: str | None = None,
    on: str | None = None,
) -> tuple[Answers, ScreeningResult]:
    """Screen an answers file for ``route`` as ``exointake screen`` does: against the
    clinic's questionnaire file or the bundled one, and a rule set file or the default
    for that questionnaire; ``on`` is the screening day (default: today in Japan)."""
    form = Questionnaire.from_file(questionnaire) if questionnaire else None
    q, answers = load_answers_file(answers_path, route, form)
    base = q.screened_as
    rules = (
        RuleSet.from_file(ruleset)
        if ruleset
        else default_ruleset(QuestionnaireRef(base.id, base.version, ""))
    )
    rules.check_against(q)
    day = None if on is None else parse_date(on, "--on")
    return answers, screen(answers, route, rules, on=day, questionnaire=q)


def _run(args: argparse.Namespace) -> int:
    _, result = screen_file(
        args.answers,
        Route(args.route),
        questionnaire=args.questionnaire,
        ruleset=args.ruleset,
        on=args.on,
    )
    if args.json:
        print_json(result.to_dict())
    else:
        print(render_result(result, Lang(args.lang)))
    return 0


_LABELS = {
    Decision.CLEAR: ("問題なし", "clear"),
    Decision.CAUTION: ("注意", "caution"),
    Decision.PHYSICIAN_REVIEW: ("医師の確認が必要", "physician review"),
    Decision.POSTPONE: ("本日は延期（回復後に再問診）", "postpone (screen again when well)"),
    Decision.INCOMPLETE: ("回答不足（判定不可）", "incomplete"),
    Decision.CONTRAINDICATED: ("施術不可", "contraindicated"),
}


def decision_label(decision: Decision, lang: Lang) -> str:
    """A decision's label for staff."""
    ja, en = _LABELS[decision]
    return ja if lang is Lang.JA else en


def render_result(result: ScreeningResult, lang: Lang) -> str:
    """A screening result as readable text for staff."""
    ja = lang is Lang.JA
    lines = [
        f"{'判定' if ja else 'Decision'}: {decision_label(result.decision, lang).upper()}"
        f"  [{result.decision.value}]  route={result.route.value}",
    ]
    for f in result.findings:
        read = ", ".join(f"{k}={answer_to_json(v)}" for k, v in sorted(f.answers.items()))
        lines.append(
            f"  - {decision_label(f.decision, lang)} [{f.rule_id}, {f.source.value}] "
            f"{f.staff_message.get(lang)}"
        )
        if read:
            lines.append(f"      {'回答' if ja else 'answers'}: {read}")
        if f.missing:
            lines.append(
                f"      {'未回答/不明' if ja else 'missing or unknown'}: {', '.join(f.missing)}"
            )
    unread = [m for m in result.missing if not any(m in f.missing for f in result.findings)]
    if unread:  # required questions left unanswered, read by no rule that applies
        lines.append(
            f"  {'必須の質問が未回答' if ja else 'required, unanswered'}: {', '.join(unread)}"
        )
    if result.requirements:
        lines.append(
            f"  {'必要な対応' if ja else 'requirements'}: {', '.join(result.requirements)}"
        )
    if not result.findings:
        lines.append("  " + ("該当する規則はありません。" if ja else "No rule applies."))
    lines.append(
        f"  ({result.questionnaire.id} v{result.questionnaire.version}, "
        f"{result.ruleset.id} v{result.ruleset.version}, {result.screened_on.isoformat()})"
    )
    return "\n".join(lines)
