"""The practice's pre-screen before a KAP referral.

Built from the contraindications prescribers commonly screen for before ketamine
treatment: the Spravato (esketamine) prescribing information and REMS materials,
and KAP practices' published screening (Journey Clinical), as gathered in
../shared/clinical-reference.md. It informs the prescriber; it never decides
eligibility, and the software draws no conclusion from it.
"""

from __future__ import annotations

PRESCREEN_ITEMS: list[tuple[str, str]] = [
    ("hypertension", "Uncontrolled hypertension"),
    ("psychosis_mania", "Psychosis, mania or a mixed state (current or history)"),
    ("substance_use", "Active substance use disorder"),
    ("pregnancy", "Pregnancy or breastfeeding"),
    ("glaucoma", "Uncontrolled glaucoma"),
    ("breathing", "Severe breathing problems"),
    ("liver", "Liver disease"),
    ("cystitis", "Cystitis or bladder problems"),
    ("ketamine_allergy", "Ketamine allergy"),
    ("suicidal_ideation", "Active suicidal ideation"),
]

ANSWERS: list[tuple[str, str]] = [
    ("no", "No"),
    ("yes", "Yes"),
    ("unknown", "Unknown / not assessed"),
]
ANSWER_LABELS = dict(ANSWERS)
ITEM_LABELS = dict(PRESCREEN_ITEMS)


def prescreen_rows(answers: dict[str, str]) -> list[tuple[str, str]]:
    """(item label, answer label) in checklist order, for display."""
    return [
        (label, ANSWER_LABELS.get(answers.get(key, ""), "Not answered"))
        for key, label in PRESCREEN_ITEMS
    ]


def flagged(answers: dict[str, str]) -> list[str]:
    """Labels of the items answered yes, for the prescriber's attention."""
    return [label for key, label in PRESCREEN_ITEMS if answers.get(key) == "yes"]
