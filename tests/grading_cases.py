"""Grading cases checked against their primary sources (issue 11): the table of record.

Each case is a reaction (the input of ``grade``), the route, and what a clinical-safety
reviewer expects, with the source that says so: the CTCAE v5.0 grade text (quoted
verbatim from the v5.0 spreadsheet, as in the severity table's ``ctcae`` section), the
Brighton 2007 level rule (Rüggeberg et al., Vaccine 2007;25:5675-84), or the ICH E2A
criterion (Step 4, 27 October 1994, section II.B).

``expect`` lists only what the case is about; every key is checked:

* ``category``: the article row (``None`` = no article category), ``escalated``;
* ``kind``: the event kind (``table_reaction``, ``infection``, ``needle_related``, ``other``);
* ``brighton``: the level, ``brighton_reason``, ``brighton_notes`` (named rules used);
* ``ctcae``: ``(term, grade)``, ``ctcae_missing``, ``ctcae_other`` (further terms);
* ``serious``, ``criteria`` (ICH E2A), ``actions`` (action codes, in order).

``tests/test_grading_cases.py`` runs every case through ``grade()``.
"""

from __future__ import annotations

from typing import Any

SUDDEN = {"onset_minutes": 10, "rapid_progression": True}
"""A documented sudden onset with rapid progression (Brighton 2007: needed for levels 1-3)."""

DONE = {
    "interventions": [],
    "hospitalization": False,
    "outcome": "recovered",
    "life_threatening": False,
    "prolonged": False,
    "disability": False,
    "congenital_anomaly": False,
    "medically_important": False,
}
"""Everything CTCAE and E2A need, for a mild reaction that is over."""


def done(**changes: Any) -> dict[str, Any]:
    """:data:`DONE` with ``changes``."""
    return {**DONE, **changes}


GEN = "generalized"

CTCAE = "CTCAE v5.0"
BRIGHTON = "Brighton 2007 (Rüggeberg et al., Vaccine 2007;25:5675-84)"
E2A = "ICH E2A (1994) II.B"

CASES: tuple[dict[str, Any], ...] = (
    # ------------------------------------------------------------------ the article's rows
    {
        "id": "site-redness-warmth",
        "source": f"{CTCAE} Injection site reaction G1: 'Tenderness with or without associated "
        "symptoms (e.g., warmth, erythema, itching)'",
        "reaction": {"symptoms": ["redness", "warmth"], **DONE},
        "route": "injection_face",
        "expect": {
            "category": "local",
            "kind": "table_reaction",
            "ctcae": ("Injection site reaction", 1),
            "serious": False,
            "actions": ["follow_up"],
        },
    },
    {
        "id": "site-pain-swelling",
        "source": f"{CTCAE} Injection site reaction G2: 'Pain; lipodystrophy; edema; phlebitis'",
        "reaction": {"symptoms": ["pain", "swelling"], **DONE},
        "route": "injection_scalp",
        "expect": {
            "category": "local",
            "kind": "table_reaction",
            "ctcae": ("Injection site reaction", 2),
        },
    },
    {
        "id": "site-necrosis-operative",
        "source": f"{CTCAE} Injection site reaction G3: 'Ulceration or necrosis; severe tissue "
        "damage; operative intervention indicated'",
        "reaction": {"symptoms": ["site_ulceration"], **done(interventions=["operative"])},
        "route": "injection_face",
        "expect": {"category": "local", "ctcae": ("Injection site reaction", 3)},
    },
    # ------------------------------------------------------------------ infections
    {
        "id": "scalp-cellulitis-iv-antibiotics-admitted",
        "source": f"{CTCAE} Skin infection ('an infectious process involving the skin such as "
        "cellulitis') G3: 'IV antibiotic, antifungal, or antiviral intervention indicated; "
        f"invasive intervention indicated'; {E2A}: 'requires inpatient hospitalization'",
        "reaction": {
            "symptoms": ["cellulitis", "redness", "swelling", "pain"],
            **done(interventions=["iv"], hospitalization=True, outcome="recovering"),
        },
        "route": "injection_scalp",
        "expect": {
            "category": "local",
            "kind": "infection",
            "ctcae": ("Skin infection", 3),
            "serious": True,
            "criteria": ["hospitalization"],
            "actions": ["physician_review", "follow_up", "report", "lot_review"],
        },
    },
    {
        "id": "cellulitis-alone-has-no-article-category",
        "source": f"{CTCAE} Skin infection G3 (IV antibiotics); the article's table has no "
        "infection row (domain §2, events outside the table)",
        "reaction": {"symptoms": ["cellulitis"], **done(interventions=["iv"])},
        "route": "injection_scalp",
        "expect": {
            "category": None,
            "escalated": False,
            "kind": "infection",
            "ctcae": ("Skin infection", 3),
        },
    },
    {
        "id": "cellulitis-oral-antibiotics",
        "source": f"{CTCAE} Skin infection G2: 'Oral intervention indicated (e.g., antibiotic, "
        "antifungal, or antiviral)'",
        "reaction": {"symptoms": ["cellulitis"], **done(interventions=["oral"])},
        "route": "injection_face",
        "expect": {"category": None, "kind": "infection", "ctcae": ("Skin infection", 2)},
    },
    {
        "id": "cellulitis-local-care",
        "source": f"{CTCAE} Skin infection G1: 'Localized, local intervention indicated'",
        "reaction": {"symptoms": ["cellulitis"], **done(interventions=["local_care"])},
        "route": "injection_face",
        "expect": {"kind": "infection", "ctcae": ("Skin infection", 1)},
    },
    {
        "id": "abscess-drained",
        "source": f"{CTCAE} Soft tissue infection G3: 'IV antibiotic, antifungal, or antiviral "
        "intervention indicated; invasive intervention indicated' (CTCAE v5.0 has no term "
        "'Abscess')",
        "reaction": {"symptoms": ["abscess"], **done(interventions=["invasive", "oral"])},
        "route": "injection_scalp",
        "expect": {"category": None, "kind": "infection", "ctcae": ("Soft tissue infection", 3)},
    },
    {
        "id": "abscess-has-no-grade-1",
        "source": f"{CTCAE} Soft tissue infection: no G1; G2 'Localized; oral intervention "
        "indicated (e.g., antibiotic, antifungal, or antiviral)'",
        "reaction": {"symptoms": ["abscess"], **DONE},
        "route": "injection_scalp",
        "expect": {"kind": "infection", "ctcae": ("Soft tissue infection", 2)},
    },
    {
        "id": "cellulitis-with-fever",
        "source": f"{CTCAE} Skin infection G2 (oral antibiotics) and Fever G1: '38.0 - 39.0 "
        "degrees C'",
        "reaction": {
            "symptoms": ["cellulitis", "fever"],
            "temperature_c": 38.6,
            **done(interventions=["oral"]),
        },
        "route": "injection_scalp",
        "expect": {
            "kind": "infection",
            "ctcae": ("Skin infection", 2),
            "ctcae_other": [("Fever", 1)],
        },
    },
    {
        "id": "fever-with-hives-during-drip",
        "source": f"{CTCAE} Fever G1 '38.0 - 39.0 degrees C' and Infusion related reaction G2 "
        "'Therapy or infusion interruption indicated but responds promptly to symptomatic "
        "treatment'; the hives keep their article row (allergy)",
        "reaction": {
            "symptoms": ["fever", {"code": "urticaria", "extent": GEN}],
            "temperature_c": 38.5,
            **done(interventions=["infusion_interrupted", "oral"]),
        },
        "route": "iv_drip",
        "expect": {
            "category": "allergy",
            "kind": "infection",
            "ctcae": ("Infusion related reaction", 2),
            "ctcae_other": [("Fever", 1)],
        },
    },
    {
        "id": "fever-38-5",
        "source": f"{CTCAE} Fever G1: '38.0 - 39.0 degrees C (100.4 - 102.2 degrees F)'",
        "reaction": {"symptoms": ["fever"], "temperature_c": 38.5, **DONE},
        "route": "iv_drip",
        "expect": {"category": None, "kind": "infection", "ctcae": ("Fever", 1), "serious": False},
    },
    {
        "id": "fever-39-5",
        "source": f"{CTCAE} Fever G2: '>39.0 - 40.0 degrees C (102.3 - 104.0 degrees F)'",
        "reaction": {"symptoms": ["fever"], "temperature_c": 39.5, **DONE},
        "route": "iv_drip",
        "expect": {"ctcae": ("Fever", 2)},
    },
    {
        "id": "fever-40-5-short",
        "source": f"{CTCAE} Fever G3: '>40.0 degrees C (>104.0 degrees F) for <=24 hrs'",
        "reaction": {"symptoms": ["fever"], "temperature_c": 40.5, "hours_above_40c": 6, **DONE},
        "route": "iv_drip",
        "expect": {"ctcae": ("Fever", 3)},
    },
    {
        "id": "fever-40-5-long",
        "source": f"{CTCAE} Fever G4: '>40.0 degrees C (>104.0 degrees F) for >24 hrs'",
        "reaction": {"symptoms": ["fever"], "temperature_c": 40.5, "hours_above_40c": 30, **DONE},
        "route": "iv_drip",
        "expect": {"ctcae": ("Fever", 4)},
    },
    {
        "id": "fever-without-temperature",
        "source": f"{CTCAE} Fever is graded by the measured temperature only (G1-G4 are "
        "temperature bands)",
        "reaction": {"symptoms": ["fever"], **DONE},
        "route": "iv_drip",
        "expect": {"ctcae": ("Fever", None), "ctcae_missing": ["temperature_c"]},
    },
    {
        "id": "fever-above-40-duration-unknown",
        "source": f"{CTCAE} Fever G3 '>40.0 degrees C for <=24 hrs' vs G4 '... for >24 hrs'",
        "reaction": {"symptoms": ["fever"], "temperature_c": 40.2, **DONE},
        "route": "iv_drip",
        "expect": {"ctcae": ("Fever", None), "ctcae_missing": ["hours_above_40c"]},
    },
    {
        "id": "chills-mild",
        "source": f"{CTCAE} Chills G1: 'Mild sensation of cold; shivering; chattering of teeth'",
        "reaction": {"symptoms": ["chills"], **DONE},
        "route": "iv_drip",
        "expect": {"category": None, "kind": "infection", "ctcae": ("Chills", 1)},
    },
    {
        "id": "sepsis-culture-positive-admitted",
        "source": f"{CTCAE} Sepsis G3: 'Blood culture positive with signs or symptoms; treatment "
        f"indicated'; {E2A}: hospitalization; sepsis counts as medically important "
        "(exointake [practice], after the EMA Important Medical Events list)",
        "reaction": {
            "symptoms": ["sepsis", "fever", "chills"],
            "temperature_c": 39.4,
            "blood_culture_positive": True,
            **done(interventions=["iv"], hospitalization=True, outcome="recovering"),
        },
        "route": "iv_drip",
        "expect": {
            "category": None,
            "kind": "infection",
            "ctcae": ("Sepsis", 3),
            "ctcae_other": [("Fever", 2), ("Chills", 1)],
            "serious": True,
            "criteria": ["hospitalization", "medically_important"],
            "actions": ["emergency", "follow_up", "report", "lot_review"],
        },
    },
    {
        "id": "sepsis-life-threatening",
        "source": f"{CTCAE} Sepsis G4: 'Life-threatening consequences; urgent intervention "
        f"indicated'; {E2A}: 'is life-threatening'",
        "reaction": {
            "symptoms": ["sepsis", "hypotension"],
            "blood_culture_positive": True,
            **done(interventions=["iv", "urgent"], hospitalization=True, life_threatening=True),
        },
        "route": "iv_drip",
        "expect": {
            "category": "anaphylaxis",
            "kind": "infection",
            "ctcae": ("Sepsis", 4),
            "serious": True,
            "criteria": ["life_threatening", "hospitalization", "medically_important"],
        },
    },
    {
        "id": "sepsis-fatal",
        "source": f"{CTCAE} Sepsis G5: 'Death'; {E2A}: 'results in death'",
        "reaction": {
            "symptoms": ["sepsis"],
            "blood_culture_positive": True,
            **done(
                interventions=["iv", "urgent"],
                hospitalization=True,
                outcome="fatal",
                life_threatening=True,
            ),
        },
        "route": "iv_drip",
        "expect": {
            "ctcae": ("Sepsis", 5),
            "criteria": ["death", "life_threatening", "hospitalization", "medically_important"],
        },
    },
    {
        "id": "sepsis-blood-culture-not-recorded",
        "source": f"{CTCAE} Sepsis has no G1/G2; G3 needs 'Blood culture positive with signs "
        "or symptoms'",
        "reaction": {"symptoms": ["sepsis"], **done(interventions=["iv"], hospitalization=True)},
        "route": "iv_drip",
        "expect": {
            "ctcae": ("Sepsis", None),
            "ctcae_missing": ["blood_culture_positive"],
            "serious": True,
        },
    },
    # ------------------------------------------------------------------ needle-related
    {
        "id": "faint-after-scalp-injection",
        "source": f"{CTCAE} Syncope: only G3, 'Fainting; orthostatic collapse' (a non-allergic "
        "event is not an Allergic reaction)",
        "reaction": {"symptoms": ["syncope"], **DONE},
        "route": "injection_scalp",
        "expect": {
            "category": None,
            "kind": "needle_related",
            "ctcae": ("Syncope", 3),
            "brighton": 5,
            "serious": False,
            "actions": ["physician_review", "follow_up"],
        },
    },
    {
        "id": "vasovagal-with-bradycardia",
        "source": f"{CTCAE} Vasovagal reaction G3: 'Present' (no G1/G2)",
        "reaction": {"symptoms": ["vasovagal_reaction", "bradycardia"], **DONE},
        "route": "injection_face",
        "expect": {"category": None, "kind": "needle_related", "ctcae": ("Vasovagal reaction", 3)},
    },
    {
        "id": "vasovagal-life-threatening",
        "source": f"{CTCAE} Vasovagal reaction G4: 'Life-threatening consequences; urgent "
        "intervention indicated' (vasovagal reaction is not grade 3 by definition)",
        "reaction": {
            "symptoms": ["vasovagal_reaction"],
            **done(interventions=["urgent"], life_threatening=True),
        },
        "route": "injection_face",
        "expect": {"kind": "needle_related", "ctcae": ("Vasovagal reaction", 4), "serious": True},
    },
    {
        "id": "presyncope",
        "source": f"{CTCAE} Presyncope: only G2, 'Present (e.g., near fainting)'",
        "reaction": {"symptoms": ["presyncope"], **DONE},
        "route": "injection_face",
        "expect": {"category": None, "kind": "needle_related", "ctcae": ("Presyncope", 2)},
    },
    {
        "id": "isolated-hypotension-injection",
        "source": f"{CTCAE} Hypotension G1: 'Asymptomatic, intervention not indicated'; "
        f"{BRIGHTON}: one organ system is not a case",
        "reaction": {"symptoms": ["hypotension"], **SUDDEN, **DONE},
        "route": "injection_face",
        "expect": {
            "category": "anaphylaxis",
            "kind": "needle_related",
            "ctcae": ("Hypotension", 1),
            "brighton": 5,
        },
    },
    {
        "id": "isolated-hypotension-drip",
        "source": f"{CTCAE} Infusion related reaction G2: 'Therapy or infusion interruption "
        "indicated but responds promptly to symptomatic treatment (e.g., ..., IV fluids)'",
        "reaction": {
            "symptoms": ["hypotension"],
            **done(interventions=["infusion_interrupted", "iv"]),
        },
        "route": "iv_drip",
        "expect": {
            "category": "anaphylaxis",
            "kind": "needle_related",
            "ctcae": ("Infusion related reaction", 2),
        },
    },
    {
        "id": "faint-with-generalized-hives-escalates",
        "source": "domain §2 rule 2 (escalation, fail-safe): allergy-row skin signs with a "
        f"cardiovascular sign; {BRIGHTON}: decreased or lost consciousness alone is no criterion",
        "reaction": {
            "symptoms": [{"code": "urticaria", "extent": GEN}, "syncope"],
            **SUDDEN,
            **DONE,
        },
        "route": "injection_face",
        "expect": {
            "category": "anaphylaxis",
            "escalated": True,
            "kind": "table_reaction",
            "brighton": 5,
        },
    },
    # ------------------------------------------------------------------ Brighton
    {
        "id": "generalized-redness-hypotension",
        "source": f"{BRIGHTON} level 1: >=1 major dermatologic ('generalized urticaria or "
        "generalized erythema') AND >=1 major cardiovascular ('measured hypotension'); "
        f"{CTCAE} Anaphylaxis G3: '... hypotension'",
        "reaction": {
            "symptoms": [{"code": "redness", "extent": GEN}, "hypotension"],
            **SUDDEN,
            **DONE,
        },
        "route": "injection_face",
        "expect": {
            "category": "anaphylaxis",
            "kind": "table_reaction",
            "brighton": 1,
            "brighton_reason": "criteria_met",
            "ctcae": ("Anaphylaxis", 3),
            "serious": True,
            "criteria": ["medically_important"],
        },
    },
    {
        "id": "generalized-redness-wheeze",
        "source": f"{BRIGHTON} level 1: major dermatologic (generalized erythema) AND major "
        f"respiratory ('bilateral wheeze (bronchospasm)'); {CTCAE} Anaphylaxis G3: 'Symptomatic "
        "bronchospasm'",
        "reaction": {"symptoms": [{"code": "redness", "extent": GEN}, "wheeze"], **SUDDEN, **DONE},
        "route": "iv_drip",
        "expect": {"category": "anaphylaxis", "brighton": 1, "ctcae": ("Anaphylaxis", 3)},
    },
    {
        "id": "generalized-site-itch-hypotension",
        "source": f"{BRIGHTON} level 2: >=1 major cardiovascular AND >=1 minor from a different "
        "system other than cardiovascular or respiratory ('generalized pruritus without skin rash' "
        "is a minor dermatologic criterion)",
        "reaction": {
            "symptoms": [{"code": "itch_site", "extent": GEN}, "hypotension"],
            **SUDDEN,
            **DONE,
        },
        "route": "injection_face",
        "expect": {"category": "anaphylaxis", "brighton": 2, "ctcae": ("Anaphylaxis", 3)},
    },
    {
        "id": "hypotension-dry-cough-level-3",
        "source": f"{BRIGHTON} level 2 requires the minor sign from a system other than "
        "cardiovascular or respiratory, so hypotension + persistent dry cough meets no level "
        "literally; exointake's rule (domain §3): for level 3 only, a major sign also counts as a "
        "minor sign of its system",
        "reaction": {"symptoms": ["hypotension", "dry_cough"], **SUDDEN, **DONE},
        "route": "injection_face",
        "expect": {
            "category": "anaphylaxis",
            "brighton": 3,
            "brighton_notes": ["major_counts_as_minor_for_level_3"],
        },
    },
    {
        "id": "peripheral-circulation-dry-cough-level-3",
        "source": f"{BRIGHTON} level 3: >=1 minor cardiovascular ('reduced peripheral "
        "circulation') OR respiratory criterion AND >=1 minor from each of >=2 different systems",
        "reaction": {"symptoms": ["reduced_peripheral_circulation", "dry_cough"], **SUDDEN, **DONE},
        "route": "injection_face",
        "expect": {"brighton": 3, "brighton_notes": []},
    },
    {
        "id": "itch-dry-cough-drip-is-infusion-reaction",
        "source": f"{CTCAE} Infusion related reaction G2: 'Therapy or infusion interruption "
        "indicated but responds promptly to symptomatic treatment (e.g., antihistamines ...)'; "
        "none of Anaphylaxis G3's criteria (bronchospasm, parenteral intervention, angioedema, "
        f"hypotension) is present; {BRIGHTON} level 3 (minor dermatologic + minor respiratory)",
        "reaction": {
            "symptoms": ["itch_skin", "dry_cough"],
            **SUDDEN,
            **done(interventions=["infusion_interrupted", "oral"]),
        },
        "route": "iv_drip",
        "expect": {
            "category": "anaphylaxis",
            "escalated": True,
            "kind": "table_reaction",
            "brighton": 3,
            "ctcae": ("Infusion related reaction", 2),
        },
    },
    {
        "id": "itch-dry-cough-injection-is-allergic-reaction",
        "source": f"{CTCAE} Allergic reaction G2: 'Oral intervention indicated'",
        "reaction": {
            "symptoms": ["itch_skin", "dry_cough"],
            **SUDDEN,
            **done(interventions=["oral"]),
        },
        "route": "injection_face",
        "expect": {"category": "anaphylaxis", "brighton": 3, "ctcae": ("Allergic reaction", 2)},
    },
    {
        "id": "late-onset-not-sudden",
        "source": f"{BRIGHTON}: all levels need a sudden onset; the 120-minute cut-off is "
        "exointake's documented default (the severity table's brighton_sudden_onset_minutes)",
        "reaction": {
            "symptoms": [{"code": "urticaria", "extent": GEN}, "hypotension"],
            "onset_minutes": 180,
            "rapid_progression": True,
            **DONE,
        },
        "route": "injection_face",
        "expect": {
            "brighton": 5,
            "brighton_reason": "onset_not_sudden",
            "brighton_notes": ["onset_cutoff"],
            "ctcae": ("Anaphylaxis", 3),
        },
    },
    {
        "id": "late-onset-with-a-longer-cutoff",
        "source": f"{BRIGHTON} level 1; the sudden-onset cut-off is a grading parameter "
        "(sudden_onset_minutes=240 here)",
        "reaction": {
            "symptoms": [{"code": "urticaria", "extent": GEN}, "hypotension"],
            "onset_minutes": 180,
            "rapid_progression": True,
            **DONE,
        },
        "route": "injection_face",
        "grade_args": {"sudden_onset_minutes": 240},
        "expect": {"brighton": 1, "brighton_reason": "criteria_met"},
    },
    {
        "id": "onset-not-documented",
        "source": f"{BRIGHTON} level 4: reported anaphylaxis with insufficient evidence (here the "
        "onset is not documented)",
        "reaction": {"symptoms": [{"code": "urticaria", "extent": GEN}, "hypotension"], **DONE},
        "route": "injection_face",
        "expect": {
            "brighton": 4,
            "brighton_reason": "onset_not_documented",
            "ctcae": ("Anaphylaxis", 3),
        },
    },
    {
        "id": "gi-only-not-a-case",
        "source": f"{BRIGHTON}: gastrointestinal signs are minor criteria only; one system is "
        "not a case. The article's row stays anaphylaxis (domain §3) and the physician reviews it",
        "reaction": {"symptoms": ["vomiting", "abdominal_pain"], **SUDDEN, **DONE},
        "route": "injection_face",
        "expect": {
            "category": "anaphylaxis",
            "kind": "table_reaction",
            "brighton": 5,
            "brighton_reason": "criteria_not_met",
            "ctcae": (None, None),
        },
    },
    # ------------------------------------------------------------------ interventions by route
    {
        "id": "im-adrenaline-allergic-reaction",
        "source": f"{CTCAE} Allergic reaction G3 needs 'intravenous intervention indicated'; "
        "intramuscular adrenaline is a systemic intervention that is not intravenous: G2",
        "reaction": {"symptoms": ["rash", "itch_skin"], **done(interventions=["adrenaline_im"])},
        "route": "injection_face",
        "expect": {"category": "allergy", "ctcae": ("Allergic reaction", 2)},
    },
    {
        "id": "iv-adrenaline-allergic-reaction",
        "source": f"{CTCAE} Allergic reaction G3: '... intravenous intervention indicated'",
        "reaction": {"symptoms": ["rash", "itch_skin"], **done(interventions=["adrenaline_iv"])},
        "route": "injection_face",
        "expect": {"category": "allergy", "ctcae": ("Allergic reaction", 3)},
    },
    {
        "id": "adrenaline-route-not-recorded",
        "source": f"{CTCAE} Allergic reaction G2 (oral/systemic) vs G3 (intravenous): "
        "'parenteral_adrenaline' does not say which",
        "reaction": {
            "symptoms": ["rash", "itch_skin"],
            **done(interventions=["parenteral_adrenaline"]),
        },
        "route": "injection_face",
        "expect": {"ctcae": ("Allergic reaction", None), "ctcae_missing": ["interventions"]},
    },
    {
        "id": "hives-hypotension-im-adrenaline",
        "source": f"{BRIGHTON} level 1; {CTCAE} Anaphylaxis G3: 'parenteral intervention "
        "indicated; ... hypotension'",
        "reaction": {
            "symptoms": [{"code": "urticaria", "extent": GEN}, "hypotension"],
            **SUDDEN,
            **done(interventions=["adrenaline_im"]),
        },
        "route": "injection_face",
        "expect": {"brighton": 1, "ctcae": ("Anaphylaxis", 3), "criteria": ["medically_important"]},
    },
    # ------------------------------------------------------------------ seriousness
    {
        "id": "rash-admitted",
        "source": f"{E2A}: 'requires inpatient hospitalization or prolongation of existing "
        f"hospitalization'; {CTCAE} Allergic reaction G3: 'hospitalization indicated for clinical "
        "sequelae'",
        "reaction": {"symptoms": ["rash"], **done(interventions=["oral"], hospitalization=True)},
        "route": "injection_face",
        "expect": {
            "category": "allergy",
            "ctcae": ("Allergic reaction", 3),
            "serious": True,
            "criteria": ["hospitalization"],
            "actions": ["physician_review", "follow_up", "report"],
        },
    },
    {
        "id": "chills-drip-seriousness-undecided",
        "source": f"{E2A}: seriousness is decided by the criteria; a criterion not recorded is "
        "undecided, never 'no'",
        "reaction": {"symptoms": ["chills"], "interventions": [], "outcome": "recovered"},
        "route": "iv_drip",
        "expect": {"kind": "infection", "serious": False, "ctcae": ("Chills", None)},
    },
    # ------------------------------------------------------------------ reviewer's findings
    {
        "id": "septic-fever-hypotension-no-sepsis-code",
        "source": f"{CTCAE} Fever G3 '>40.0 degrees C for <=24 hrs'; Hypotension G3 'Medical "
        "intervention indicated'. Fever with hypotension is a suspected sepsis (Sepsis-3, "
        f"Singer et al., JAMA 2016;315:801-10): emergency; {E2A} 'medically important' [practice]",
        "reaction": {
            "symptoms": ["fever", "chills", "hypotension"],
            "temperature_c": "40.5",
            "hours_above_40c": 2,
            "onset_minutes": 60,
            **done(interventions=["iv"]),
        },
        "route": "iv_drip",
        "expect": {
            "kind": "infection",
            "ctcae": ("Fever", 3),
            "ctcae_other": [("Chills", 1), ("Hypotension", 3)],
            "serious": True,
            "criteria": ["medically_important"],
            "actions": ["emergency", "physician_review", "follow_up", "report", "lot_review"],
        },
    },
    {
        "id": "septic-fever-uncompensated-shock",
        "source": f"{BRIGHTON}: tachycardia, capillary refill > 3 s and reduced consciousness "
        f"are uncompensated shock; with a fever a suspected septic shock. {CTCAE} Hypotension "
        "G3 'Medical intervention indicated'; Fever G2 '>39.0 - 40.0 degrees C'",
        "reaction": {
            "symptoms": [
                "fever",
                "tachycardia",
                "prolonged_capillary_refill",
                "reduced_consciousness",
            ],
            "temperature_c": "39.8",
            **done(interventions=["iv"]),
        },
        "route": "injection_face",
        "expect": {
            "ctcae": ("Hypotension", 3),
            "serious": True,
            "actions": ["emergency", "physician_review", "follow_up", "report", "lot_review"],
        },
    },
    {
        "id": "anaphylaxis-with-mild-fever-stays-anaphylaxis",
        "source": f"{BRIGHTON} level 1 (generalized urticaria + hypotension); {CTCAE} Anaphylaxis "
        "G3 'parenteral intervention indicated; ... hypotension' outranks Fever G1 "
        "'38.0 - 39.0 degrees C': the most severe term leads, the row stays anaphylaxis",
        "reaction": {
            "symptoms": [{"code": "urticaria", "extent": GEN}, "hypotension", "fever"],
            "temperature_c": "38.2",
            **SUDDEN,
            **done(interventions=["adrenaline_im"]),
        },
        "route": "iv_drip",
        "expect": {
            "category": "anaphylaxis",
            "kind": "table_reaction",
            "brighton": 1,
            "ctcae": ("Anaphylaxis", 3),
            "ctcae_other": [("Fever", 1)],
            "actions": ["physician_review", "follow_up", "report", "lot_review"],
        },
    },
    {
        "id": "escalation-picture-with-adrenaline-is-anaphylaxis",
        "source": f"{CTCAE} Anaphylaxis G3: 'Symptomatic bronchospasm, with or without urticaria; "
        "parenteral intervention indicated; allergy-related edema/angioedema; hypotension' "
        "(a skin sign with hypotension, treated with IM adrenaline)",
        "reaction": {
            "symptoms": ["rash", "hypotension"],
            **SUDDEN,
            **done(interventions=["adrenaline_im"]),
        },
        "route": "injection_face",
        "expect": {
            "category": "anaphylaxis",
            "ctcae": ("Anaphylaxis", 3),
            "serious": True,
        },
    },
    {
        "id": "reduced-consciousness-alone-no-allergic-term",
        "source": f"{CTCAE} Allergic reaction needs an allergic feature; reduced consciousness "
        "alone after an injection has no coded term: graded by hand [practice]",
        "reaction": {"symptoms": ["reduced_consciousness"], **SUDDEN, **DONE},
        "route": "injection_scalp",
        "expect": {"ctcae": (None, None), "serious": False},
    },
    {
        "id": "syncope-with-hypotension-grades-both",
        "source": f"{CTCAE} Syncope G3 'Fainting; orthostatic collapse'; Hypotension G1 "
        "'Asymptomatic, intervention not indicated' graded alongside",
        "reaction": {"symptoms": ["hypotension", "syncope"], **SUDDEN, **DONE},
        "route": "injection_face",
        "expect": {
            "kind": "needle_related",
            "ctcae": ("Syncope", 3),
            "ctcae_other": [("Hypotension", 1)],
        },
    },
    {
        "id": "adrenaline-given-is-reported-anaphylaxis",
        "source": f"{BRIGHTON} level 4 'reported anaphylaxis with insufficient evidence'; "
        "adrenaline given is read as anaphylaxis reported [practice]",
        "reaction": {"symptoms": ["vomiting"], **SUDDEN, **done(interventions=["adrenaline_im"])},
        "route": "injection_face",
        "expect": {"brighton": 4, "brighton_reason": "reported_insufficient"},
    },
    {
        "id": "progression-not-rapid",
        "source": f"{BRIGHTON}: every level needs 'rapid progression of signs and symptoms'",
        "reaction": {
            "symptoms": [{"code": "urticaria", "extent": GEN}, "wheeze"],
            "onset_minutes": 10,
            "rapid_progression": False,
            **DONE,
        },
        "route": "injection_face",
        "expect": {"brighton": 5, "brighton_reason": "progression_not_rapid"},
    },
)
"""At least 30 cases (a test counts them), each with its source."""
