from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from amendments.models import AmendmentRequest
from clients.access import clients_for_user


def get_amendment_for_user(request: AuthedRequest, pk: int) -> AmendmentRequest:
    """The request, or 404 if it does not exist or its client is not this user's to see."""
    qs = AmendmentRequest.objects.select_related("client")
    return get_object_or_404(qs, pk=pk, client__in=clients_for_user(request))
