from __future__ import annotations

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from notifications.models import OutboundEmail


def email_queue(*, to: str, template: str, context: dict[str, Any]) -> OutboundEmail:
    """Store an e-mail in the outbox and hand it to the worker once committed.

    `template` names a pair: `<template>_subject.txt` and `<template>_body.txt`.
    Call it inside the transaction that made the change: the row commits with
    that change or not at all. The enqueue runs after commit and is `robust`,
    so a queue outage is logged and never fails the person's submission; the
    `email_retry` command picks such rows up later.
    """
    from notifications.tasks import email_send

    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}_body.txt", context)
    email = OutboundEmail.objects.create(to=to, subject=subject, body=body)
    transaction.on_commit(lambda: email_send.enqueue(email.pk), robust=True)
    return email
