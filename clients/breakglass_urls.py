from django.urls import path

from clients import breakglass_views as views

app_name = "breakglass"
urlpatterns = [
    path("", views.open_access, name="open"),
    path("<int:pk>/end/", views.end_access, name="end"),
    path("grants/", views.grants, name="grants"),
]
