"""The planned end of reprocessing on the EMDR record (issue 12 §3): the therapist
sets it, and the record compares the dose's expected peak with it
(bls.dose_window). For CLINICAL_ROLES, through bls.services (atomic and audited)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.access import CLINICAL_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from bls import services
from bls.access import get_record_for_user
from bls.forms import PlannedEndForm
from bls.views import render_record


@require_POST
@role_required(*CLINICAL_ROLES)
def planned_end(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request, pk)
    form = PlannedEndForm(request.POST)
    if form.is_valid():
        try:
            services.record_plan_reprocessing_end(
                actor=actor_from(request),
                record=record,
                planned_end=form.cleaned_data["planned_reprocessing_end"],
            )
        except services.EmdrError as exc:
            form.refused(exc)
    if not form.is_valid():
        # What was typed stays, with the message beside the field.
        return render_record(request, record, planned_end_form=form)
    messages.success(request, "Planned end of reprocessing saved.")
    return redirect(f"{record.get_absolute_url()}#dose-window")
