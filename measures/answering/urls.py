"""The client's answering page: public, no sign-in; the secret link is the key."""

from django.urls import path

from measures.answering import views as public_views

app_name = "measure_answer"
urlpatterns = [
    path("<str:token>/", public_views.answer, name="answer"),
]
