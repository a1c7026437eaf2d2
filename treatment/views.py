"""Treatment courses, their sessions, and the dosing readiness gate."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import CLIENT_ROLES, CLINICAL_ROLES, AuthedRequest, role_required
from accounts.actor import actor_from
from audit.services import log_action
from clients.access import get_client_for_user
from treatment import services
from treatment.access import get_course_for_user, get_session_for_user
from treatment.forms import CourseForm, EscortForm, SessionForm
from treatment.gate import dosing_readiness
from treatment.models import SessionKind, SessionStatus, TreatmentCourse, TreatmentSession
from treatment.queries import course_progress


def _field_error(
    form: CourseForm | SessionForm | EscortForm, exc: services.TreatmentError
) -> None:
    """A service's refusal, beside its field when the form has one."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL_ROLES)
def course_new(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(
                actor=actor_from(request), client=client, plan=form.plan()
            )
        except services.CourseError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, "Treatment course created.")
            return redirect(course)
    return render(request, "treatment/course_form.html", {"form": form, "client": client})


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL_ROLES)
def course_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    course = get_course_for_user(request, pk)
    form = CourseForm(request.POST or None, instance=course)
    actor = actor_from(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(actor=actor, course=course, plan=form.plan())
        except services.CourseError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, "Course saved.")
            return redirect(course)
    log_action(actor, "course.view", course, client=course.client)
    context = {"form": form, "client": course.client, "course": course}
    return render(request, "treatment/course_form.html", context)


@require_GET
@role_required(*CLIENT_ROLES)
def course_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    course = get_course_for_user(request, pk)
    log_action(actor_from(request), "course.view", course, client=course.client)
    return render(request, "treatment/course.html", _course_context(course, SessionForm()))


def _course_context(course: TreatmentCourse, session_form: SessionForm) -> dict[str, object]:
    return {
        "course": course,
        "client": course.client,
        "progress": course_progress(course),
        "sessions": course.sessions.all(),
        "session_form": session_form,
    }


@require_POST
@role_required(*CLINICAL_ROLES)
def session_add(request: AuthedRequest, pk: int) -> HttpResponse:
    course = get_course_for_user(request, pk)
    form = SessionForm(request.POST)
    actor = actor_from(request)
    if form.is_valid():
        try:
            services.session_create(
                actor=actor,
                course=course,
                kind=form.cleaned_data["kind"],
                planned_date=form.cleaned_data["planned_date"],
            )
        except services.SessionError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, "Session added.")
            return redirect(course)
    log_action(actor, "course.view", course, client=course.client)
    return render(request, "treatment/course.html", _course_context(course, form))


def _session_context(
    session: TreatmentSession, escort_form: EscortForm | None = None
) -> dict[str, object]:
    client = session.course.client
    context: dict[str, object] = {"session": session, "course": session.course, "client": client}
    if session.kind == SessionKind.DOSING and session.status == SessionStatus.PLANNED:
        checks, rx = dosing_readiness(session)
        context.update(
            checks=checks,
            gate_open=all(c.ok for c in checks),
            prescription=rx,
            escort_form=escort_form
            or EscortForm(
                initial={
                    "escort_name": session.escort_name or client.escort_name,
                    "escort_phone": session.escort_phone or client.escort_phone,
                }
            ),
        )
    return context


@require_GET
@role_required(*CLIENT_ROLES)
def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request, pk)
    log_action(actor_from(request), "session.view", session, client=session.course.client)
    return render(request, "treatment/session.html", _session_context(session))


@require_POST
@role_required(*CLINICAL_ROLES)
def escort_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request, pk)
    form = EscortForm(request.POST)
    actor = actor_from(request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.session_escort_confirm(
                actor=actor, session=session, name=data["escort_name"], phone=data["escort_phone"]
            )
        except services.SessionError as exc:
            if exc.field not in form.fields:
                messages.error(request, str(exc))
                return redirect(session)
            _field_error(form, exc)
        else:
            messages.success(request, "Escort confirmed for today.")
            return redirect(session)
    log_action(actor, "session.view", session, client=session.course.client)
    return render(request, "treatment/session.html", _session_context(session, form))


@require_POST
@role_required(*CLINICAL_ROLES)
def session_start(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request, pk)
    actor = actor_from(request)
    try:
        if session.kind == SessionKind.DOSING:
            started, checks = services.dosing_start(actor=actor, session_id=session.pk)
            if not started:
                failing = "; ".join(c.label for c in checks if not c.ok)
                messages.error(request, f"The dosing session cannot start: {failing}.")
                return redirect(session)
        else:
            services.session_start(actor=actor, session=session)
    except services.SessionError as exc:
        messages.error(request, str(exc))
        return redirect(session)
    messages.success(request, "Session started.")
    return redirect(session)


@require_POST
@role_required(*CLINICAL_ROLES)
def session_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request, pk)
    try:
        services.session_complete(actor=actor_from(request), session=session)
    except services.SessionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Session completed.")
    return redirect(session)


@require_POST
@role_required(*CLINICAL_ROLES)
def session_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    """Cancel, after the confirm (templates/includes/confirm.html), with the reason."""
    session = get_session_for_user(request, pk)
    actor = actor_from(request)
    reason = request.POST.get("reason", "")
    error = ""
    if request.POST.get("confirm") != "yes":
        error = "Press “Cancel the session” in the confirm to go ahead; nothing has changed."
    else:
        try:
            services.session_cancel(actor=actor, session=session, reason=reason)
        except services.SessionError as exc:
            if exc.field != "reason":
                messages.error(request, str(exc))
                return redirect(session)
            error = str(exc)
        else:
            messages.success(request, "Session cancelled. The reason is on the session page.")
            return redirect(session)
    # The page again, the confirm open with its message and what was typed.
    log_action(actor, "session.view", session, client=session.course.client)
    context = _session_context(session)
    context.update(cancel_error=error, cancel_reason=reason)
    return render(request, "treatment/session.html", context)
