"""Seeing progress, under /staff/measures/outcomes/: a client's charts and scores
(CLIENT_ROLES), and the practice outcomes report, its chart and CSV (admin)."""

from django.urls import path

from measures.outcomes import views as report_views

app_name = "outcomes"
urlpatterns = [
    path("", report_views.report, name="report"),
    path("chart.svg", report_views.report_chart, name="report_chart"),
    path("export.csv", report_views.export, name="export"),
    path("client/<int:client_id>/", report_views.client, name="client"),
    path("client/<int:client_id>/<slug:code>.svg", report_views.client_chart, name="client_chart"),
]
