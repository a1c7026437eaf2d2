"""Import measures and reported medications from a FHIR Bundle on the client chart
(issue 13 §2, "Import"): upload → preview (nothing stored) → confirm (stored).

Who: the admin and the client's assigned therapist, as for the export
(interop.access); another therapist gets a 404, other roles a 403.

Between preview and confirm the file is kept nowhere. Sessions are Django's default
database sessions: signed, not encrypted at rest, so the parsed answers (PHI) may not
wait there. The confirm form asks for the file again; the session keeps only the
SHA-256 of the file previewed, so a confirm stores exactly what was previewed (a
different file is refused, and shown as a preview of its own). The file is read and
checked again at confirm: a response stored meanwhile is then skipped as a duplicate.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from clients.models import Client
from interop.access import EXPORT_ROLES, get_client_to_export
from interop.import_plan import ImportPlan
from interop.import_store import plan_store
from interop.importing import MAX_BYTES, PREVIEW_ACTION, ImportError_, read_bundle

MAX_MB = MAX_BYTES // (1024 * 1024)
TOO_BIG = f"The file is larger than {MAX_MB} MB; ask the sender for one client's Bundle."
NOTHING = "Nothing in this file can be imported: see what was skipped."
NOT_PREVIEWED = "This is not the file you previewed. Check its preview below and confirm again."


class UploadForm(forms.Form):
    bundle = forms.FileField(
        label="FHIR Bundle file (.json)",
        help_text=(
            f"A FHIR R4 Bundle in JSON from the client's previous provider, at most {MAX_MB} MB."
        ),
    )

    def clean_bundle(self) -> bytes:
        upload = self.cleaned_data["bundle"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(TOO_BIG)
        return bytes(upload.read())


def _session_key(client: Client) -> str:
    return f"interop.import.{client.pk}"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _upload_page(request: AuthedRequest, client: Client, form: UploadForm) -> HttpResponse:
    return render(request, "interop/import_upload.html", {"client": client, "form": form})


def _preview(
    request: AuthedRequest, client: Client, data: bytes, plan: ImportPlan, notice: str = ""
) -> HttpResponse:
    request.session[_session_key(client)] = _digest(data)
    log_action(
        actor_from(request),
        PREVIEW_ACTION,
        client,
        client=client,
        detail={
            "measures": len(plan.measures),
            "medications": len(plan.medications),
            "skipped": len(plan.skipped),
        },
    )
    context = {"client": client, "plan": plan, "form": UploadForm(), "notice": notice}
    return render(request, "interop/import_preview.html", context)


def _read(client: Client, form: UploadForm) -> tuple[bytes, ImportPlan] | None:
    """The file and its plan, or None with the reason beside the field."""
    if not form.is_valid():
        return None
    data: bytes = form.cleaned_data["bundle"]
    try:
        return data, read_bundle(client=client, data=data)
    except ImportError_ as exc:
        form.add_error("bundle", str(exc))
        return None


@require_http_methods(["GET", "POST"])
@role_required(*EXPORT_ROLES)
def client_import(request: AuthedRequest, client_id: int) -> HttpResponse:
    """The upload form (GET); the preview of an uploaded file (POST), storing nothing."""
    client = get_client_to_export(request.user, client_id)
    if request.method != "POST":
        return _upload_page(request, client, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    found = _read(client, form)
    if found is None:
        return _upload_page(request, client, form)
    return _preview(request, client, *found)


@require_POST
@role_required(*EXPORT_ROLES)
def client_import_confirm(request: AuthedRequest, client_id: int) -> HttpResponse:
    """Store what the preview showed, from the same file uploaded again."""
    client = get_client_to_export(request.user, client_id)
    form = UploadForm(request.POST, request.FILES)
    found = _read(client, form)
    if found is None:
        return _upload_page(request, client, form)
    data, plan = found
    if request.session.get(_session_key(client)) != _digest(data):
        return _preview(request, client, data, plan, NOT_PREVIEWED)
    if plan.empty:
        return _preview(request, client, data, plan, NOTHING)
    result = plan_store(actor=actor_from(request), client=client, plan=plan)
    request.session.pop(_session_key(client), None)
    text = (
        f"Imported {len(result.responses)} measure(s) and {len(result.medications)} "
        f"medication(s) from the FHIR file; {len(plan.skipped)} item(s) skipped."
    )
    if result.alerts:
        text += f" {len(result.alerts)} safety alert(s) raised: see the dashboard."
    messages.success(request, text)
    return redirect(client.get_absolute_url())
