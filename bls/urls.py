from django.urls import path

from bls import control_views, plan_views, views

app_name = "bls"
urlpatterns = [
    path("new/<int:session_id>/", views.record_new, name="new"),
    path(
        "new/appointment/<int:appointment_id>/",
        views.record_new_for_appointment,
        name="new_for_appointment",
    ),
    path("<int:pk>/", views.record_detail, name="record"),
    path("<int:pk>/phase/", views.phase, name="phase"),
    path("<int:pk>/assessment/", views.assessment, name="assessment"),
    path("<int:pk>/sets/", views.set_add, name="set_add"),
    path("<int:pk>/closing/", views.closing, name="closing"),
    path("<int:pk>/planned-end/", plan_views.planned_end, name="planned_end"),
    path("<int:pk>/timeline.svg", views.timeline_svg, name="timeline_svg"),
    # The BLS display's control from the record (bls-protocol.md).
    path("<int:pk>/display/pair/", control_views.display_pair, name="display_pair"),
    path("<int:pk>/display/end/", control_views.display_end, name="display_end"),
    path("<int:pk>/sets/<int:number>/report/", control_views.set_report, name="set_report"),
]
