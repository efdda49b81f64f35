"""Define a clinic's own questionnaire, validate answers, and see version pinning work.

Run: python examples/define_a_questionnaire.py
"""

from __future__ import annotations

from exointake import Questionnaire, ValidationError, VersionMismatchError

FOLLOWUP = {
    "id": "clinic-followup",
    "version": "1",
    "title": {"ja": "施術後の経過確認", "en": "After-treatment follow-up"},
    "items": [
        {
            "link_id": "any_reaction",
            "type": "boolean",
            "text": {"ja": "施術後に何か症状はありましたか。", "en": "Anything after treatment?"},
            "required": True,
            "allow_unknown": True,
        },
        {
            "link_id": "symptoms",
            "type": "multi_choice",
            "text": {"ja": "どの症状ですか。", "en": "Which symptoms?"},
            "required": True,
            "choices": [
                {"code": "redness", "label": {"ja": "赤み", "en": "Redness"}},
                {"code": "swelling", "label": {"ja": "腫れ", "en": "Swelling"}},
            ],
            "enable_when": [{"question": "any_reaction", "operator": "=", "answer": True}],
        },
    ],
}


def main() -> None:
    """Load the questionnaire, validate good and bad answers, and try a changed version."""
    q = Questionnaire.from_dict(FOLLOWUP)
    print(f"loaded {q.id} v{q.version} (sha256 {q.sha256[:12]}…), {len(q.items)} items")

    answers = q.answers({"any_reaction": True, "symptoms": ["swelling"]}, route="injection_face")
    print("valid answers:", answers)

    try:
        q.answers({"any_reaction": False, "symptoms": ["redness"]}, route="injection_face")
    except ValidationError as exc:
        print("refused as expected:", *exc.errors, sep="\n  ")

    changed = Questionnaire.from_dict({**FOLLOWUP, "title": {"ja": "経過", "en": "Follow-up"}})
    try:
        changed.load_answers(answers.to_dict())
    except VersionMismatchError:
        print("answers given on the old text are refused by the edited questionnaire")
    assert q.load_answers(answers.to_dict()) == answers


if __name__ == "__main__":
    main()
