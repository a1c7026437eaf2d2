from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.access import AuthedRequest
from clients.access import clients_for_user
from treatment.models import TreatmentCourse, TreatmentSession


def get_course_for_user(request: AuthedRequest, pk: int) -> TreatmentCourse:
    qs = TreatmentCourse.objects.select_related("client")
    return get_object_or_404(qs, pk=pk, client__in=clients_for_user(request))


def get_session_for_user(request: AuthedRequest, pk: int) -> TreatmentSession:
    qs = TreatmentSession.objects.select_related("course__client", "prescription")
    return get_object_or_404(qs, pk=pk, course__client__in=clients_for_user(request))
