"""The partner read API under /fhir/R4/ (interop.api). Anything else under it answers a
404 OperationOutcome, never the site's HTML page."""

from django.urls import path, re_path

from interop import api

app_name = "fhir"

urlpatterns = [
    path("metadata", api.metadata, name="metadata"),
    path("<str:resource_type>/<str:resource_id>", api.read, name="read"),
    path("<str:resource_type>", api.search, name="search"),
    re_path(r"^(?P<rest>.*)$", api.unknown, name="unknown"),
]
