from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from common.transitions import check_transition
from notifications.models import EMAIL_TRANSITIONS, OutboundEmail

logger = logging.getLogger(__name__)


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4, 8 … minutes by default, capped at six hours.
    seconds = settings.EMAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 60 * 60))


@task()
def email_send(email_id: int) -> str:
    """Deliver one outbox e-mail; on failure, schedule another try with back-off."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutboundEmail.Status.PENDING:
            return "skipped"
        email.attempts += 1
        try:
            send_mail(email.subject, email.body, None, [email.to], fail_silently=False)
        except Exception as exc:
            # Log the id and the class only: the message may contain the address.
            email.last_error = type(exc).__name__
            logger.warning("email %s attempt %s failed: %s", email.pk, email.attempts, type(exc))
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                check_transition(EMAIL_TRANSITIONS, email.status, OutboundEmail.Status.FAILED)
                email.status = OutboundEmail.Status.FAILED
                email.next_attempt_at = None
                email.body = ""  # given up: its link must not outlive it in the database
            else:
                email.next_attempt_at = timezone.now() + _backoff(email.attempts)
            email.save()
            if email.status == OutboundEmail.Status.PENDING:
                _schedule_retry(email)
            return "failed"
        check_transition(EMAIL_TRANSITIONS, email.status, OutboundEmail.Status.SENT)
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.next_attempt_at = None
        # Sent: the body (it may hold a consent or questionnaire link) is erased; the
        # subject, status and ids stay for the delivery record.
        email.body = ""
        email.save()
    return "sent"


def _schedule_retry(email: OutboundEmail) -> None:
    # The immediate backend (tests, and anyone running without a worker) cannot
    # defer: the row stays pending and `manage.py email_retry` retries it.
    if default_task_backend.supports_defer and email.next_attempt_at is not None:
        run_after = email.next_attempt_at
        transaction.on_commit(
            lambda: email_send.using(run_after=run_after).enqueue(email.pk), robust=True
        )
