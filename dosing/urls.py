from django.urls import path

from dosing import views

app_name = "dosing"
urlpatterns = [
    path("open/<int:session_id>/", views.record_open, name="open"),
    path("<int:pk>/", views.record_detail, name="record"),
    path("<int:pk>/timeline.svg", views.timeline_svg, name="timeline_svg"),
    path("<int:pk>/predose/", views.predose, name="predose"),
    path("<int:pk>/vitals/", views.vitals, name="vitals"),
    path("<int:pk>/risk-check/", views.risk_check, name="risk_check"),
    path("<int:pk>/prescriber-contact/", views.contact, name="contact"),
    path("<int:pk>/dose/", views.dose, name="dose"),
    path("<int:pk>/booster/", views.booster, name="booster"),
    path("<int:pk>/adverse-events/", views.adverse_event, name="adverse_event"),
    path("<int:pk>/discharge/", views.discharge, name="discharge"),
    path("<int:pk>/note/", views.note, name="note"),
    path("<int:pk>/note/sign/", views.note_sign, name="note_sign"),
    path("<int:pk>/note/addenda/", views.addendum, name="addendum"),
]
