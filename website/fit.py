""" "Which service fits me?": a short guided questionnaire and its suggestions.

The questions ask about preferences and goals, not symptoms, and the result
is a starting point for a conversation with the practice. It is not a
screening instrument and not a diagnosis, and the page says so. Nothing here
is stored: the answers arrive by POST (so they never sit in a URL or a log)
and are only rendered back.

The rules follow the practice's own description of its services: KAP starts
with a separate evaluation by a medication-management partner; KA-EMDR joins
EMDR memory processing with a low ketamine dose; EMDR targets distressing
memories; individual therapy is the general starting point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms

YES_NO_UNSURE = [("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")]


class FitForm(forms.Form):
    goals = forms.MultipleChoiceField(
        label="What would you like help with? Choose any that apply.",
        choices=[
            ("memories", "Distressing memories or past experiences that still affect me"),
            ("mood", "Low mood or depression"),
            ("anxiety", "Worry, stress or anxiety"),
            ("life", "Relationships, life changes or general support"),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing you would like help with."},
    )
    tried_before = forms.ChoiceField(
        label="Have you tried therapy or medication before without getting enough relief?",
        choices=YES_NO_UNSURE,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose an answer."},
    )
    ketamine = forms.ChoiceField(
        label="Are you interested in a therapy that includes ketamine, a prescribed medicine?",
        choices=[("yes", "Yes"), ("no", "No"), ("unsure", "I'd like to learn more first")],
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose an answer."},
    )
    emdr = forms.ChoiceField(
        label="Are you open to EMDR, which uses eye movements, tones or taps while you "
        "briefly recall a memory?",
        choices=YES_NO_UNSURE,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose an answer."},
    )
    ride = forms.ChoiceField(
        label="Ketamine sessions need an adult to drive you home. Could you arrange that?",
        choices=YES_NO_UNSURE,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose an answer."},
    )


@dataclass(frozen=True)
class Suggestion:
    slug: str
    reason: str


def suggest(answers: Mapping[str, Any]) -> list[Suggestion]:
    """Services to talk about, best first, each with a plain reason (`answers` is the
    fit form's cleaned_data)."""
    goals = set(answers.get("goals") or [])
    ketamine = answers.get("ketamine")
    emdr = answers.get("emdr")
    tried = answers.get("tried_before") == "yes"
    open_to_ketamine = ketamine in ("yes", "unsure")
    open_to_emdr = emdr in ("yes", "unsure")
    ride_note = (
        " You would need to arrange a ride home on medication days."
        if answers.get("ride") != "yes"
        else ""
    )

    out: list[Suggestion] = []
    if "memories" in goals and open_to_emdr and open_to_ketamine:
        out.append(
            Suggestion(
                "ka-emdr",
                "You mentioned distressing memories and are open to both EMDR and ketamine. "
                "KA-EMDR adds a low ketamine dose during EMDR processing, after an evaluation "
                "by one of our medical partners." + ride_note,
            )
        )
    if "memories" in goals and open_to_emdr:
        out.append(
            Suggestion(
                "emdr",
                "You mentioned distressing memories and are open to EMDR, a structured "
                "therapy for processing memories that still feel stuck.",
            )
        )
    if goals & {"mood", "anxiety", "memories"} and open_to_ketamine:
        why = "you have tried other help without enough relief" if tried else "you are curious"
        out.append(
            Suggestion(
                "kap",
                f"You are interested in ketamine-assisted therapy and {why}. KAP starts with "
                "a separate medical evaluation by one of our partner prescribers, who decide "
                "whether it is safe for you." + ride_note,
            )
        )
    out.append(
        Suggestion(
            "individual-therapy",
            "Talking with a therapist is a good starting point for any of these concerns, "
            "and it is where we can plan the next steps with you.",
        )
    )
    return out
