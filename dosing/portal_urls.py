from django.urls import path

from dosing import portal_views

app_name = "portal_dosing"
urlpatterns = [
    path("<int:pk>/", portal_views.summary, name="summary"),
]
