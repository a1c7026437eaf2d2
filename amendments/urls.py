from django.urls import path

from amendments import views

app_name = "amendments"
urlpatterns = [
    path("new/<int:client_id>/", views.amendment_new, name="new"),
    path("<int:pk>/", views.amendment_detail, name="detail"),
    path("<int:pk>/extend/", views.amendment_extend, name="extend"),
    path("<int:pk>/accept/", views.amendment_accept, name="accept"),
    path("<int:pk>/deny/", views.amendment_deny, name="deny"),
    path("<int:pk>/disagreement/", views.amendment_disagreement, name="disagreement"),
    path("<int:pk>/rebuttal/", views.amendment_rebuttal, name="rebuttal"),
]
