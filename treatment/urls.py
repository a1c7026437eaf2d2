from django.urls import path

from treatment import views

app_name = "treatment"
urlpatterns = [
    path("new/<int:client_id>/", views.course_new, name="new"),
    path("<int:pk>/", views.course_detail, name="course"),
    path("<int:pk>/edit/", views.course_edit, name="edit"),
    path("<int:pk>/sessions/add/", views.session_add, name="session_add"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/escort/", views.escort_confirm, name="escort"),
    path("sessions/<int:pk>/start/", views.session_start, name="start"),
    path("sessions/<int:pk>/complete/", views.session_complete, name="complete"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="cancel"),
]
