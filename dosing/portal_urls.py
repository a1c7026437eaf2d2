from django.urls import path

from dosing import portal_views

app_name = "portal_dosing"
urlpatterns = [
    path("", portal_views.session_list, name="list"),
    path("<int:pk>/", portal_views.summary, name="summary"),
]
