"""Staff measures pages, under /staff/measures/."""

from django.urls import path

from measures import views

app_name = "measures"
urlpatterns = [
    path("client/<int:client_id>/", views.client, name="client"),
    path("client/<int:client_id>/send/", views.send, name="send"),
    path("client/<int:client_id>/paper/<slug:code>/", views.paper, name="paper"),
    path("course/<int:course_id>/schedule/", views.schedule, name="schedule"),
]
