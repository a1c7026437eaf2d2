"""The practice, its partner organisations and its staff, as Organization and
Practitioner: what the other resources point at (who gave a dose, who referred).

A Practitioner holds the name and the credentials the user record shows, nothing
else: no e-mail, no username (the practice did not record them as clinical data)."""

from __future__ import annotations

from django.conf import settings
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner

from accounts.models import User
from interop.refs import PRACTICE_ID, rid
from partners.models import Partner


def practice_organization() -> Organization:
    telecom = [
        {"system": system, "value": value, "use": "work"}
        for system, value in (
            ("phone", settings.PRACTICE_PHONE),
            ("email", settings.PRACTICE_EMAIL),
        )
        if value
    ]
    data: dict[str, object] = {"id": PRACTICE_ID, "name": settings.PRACTICE_NAME}
    if telecom:
        data["telecom"] = telecom
    if settings.PRACTICE_ADDRESS:
        data["address"] = [{"text": settings.PRACTICE_ADDRESS, "use": "work"}]
    return Organization.model_validate(data)


def partner_organization(partner: Partner) -> Organization:
    data: dict[str, object] = {
        "id": rid("partner", partner.pk),
        "name": partner.name,
        "active": partner.active,
    }
    telecom = [
        {"system": system, "value": value, "use": "work"}
        for system, value in (("phone", partner.phone), ("email", partner.email))
        if value
    ]
    if telecom:
        data["telecom"] = telecom
    if partner.address:
        data["address"] = [{"text": partner.address, "use": "work"}]
    return Organization.model_validate(data)


def practitioner(user: User) -> Practitioner:
    name: dict[str, object] = {"text": user.display_name}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    if user.credentials:
        name["suffix"] = [user.credentials]
    return Practitioner.model_validate({"id": rid("user", user.pk), "name": [name]})
