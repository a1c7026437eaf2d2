"""The rules an escort's details must meet, for the form and the service alike."""

from __future__ import annotations

NAME_MAX = 120
PHONE_MAX = 32
PHONE_DIGITS = (7, 15)  # a local number with its area code, up to E.164's 15 digits


def escort_phone_problem(phone: str) -> str:
    """Why `phone` cannot be an escort's number ("" when it can)."""
    low, high = PHONE_DIGITS
    if len(phone) > PHONE_MAX or not low <= sum(c.isdigit() for c in phone) <= high:
        return "Enter a phone number with area code."
    return ""


def escort_problems(name: str, phone: str) -> dict[str, str]:
    """Field name -> message for each rule the escort's details break ({} when none)."""
    problems: dict[str, str] = {}
    if not name.strip():
        problems["escort_name"] = "Enter the escort's name."
    elif len(name) > NAME_MAX:
        problems["escort_name"] = f"Keep the name to {NAME_MAX} characters or fewer."
    phone_problem = escort_phone_problem(phone.strip())
    if phone_problem:
        problems["escort_phone"] = phone_problem
    return problems
