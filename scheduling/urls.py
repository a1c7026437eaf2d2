from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("new/", views.appointment_new, name="new"),
    path("<int:pk>/", views.appointment_detail, name="appointment"),
    path("<int:pk>/move/", views.appointment_move, name="move"),
    path("<int:pk>/cancel/", views.appointment_cancel, name="cancel"),
    path("<int:pk>/status/", views.appointment_status, name="status"),
    path("feed/", views.feed_page, name="feed"),
    path("feed/new/", views.feed_create, name="feed_create"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
]
