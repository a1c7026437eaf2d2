from django.urls import path  # noqa: F401

app_name = "measure_answer"
urlpatterns: list = []
