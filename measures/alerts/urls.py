"""Safety alerts for staff, mounted at /staff/measures/alerts/ (measures.alerts.views)."""

from django.urls import path

from measures.alerts import views as alert_views

app_name = "alerts"
urlpatterns = [
    path("", alert_views.alert_list, name="list"),
    path("<int:pk>/", alert_views.alert_detail, name="alert"),
    path("<int:pk>/acknowledge/", alert_views.alert_acknowledge, name="acknowledge"),
]
