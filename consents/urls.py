from django.urls import path

from consents import views

app_name = "consents"
urlpatterns = [
    path("client/<int:client_id>/send/", views.send, name="send"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("request/<int:pk>/cancel/", views.cancel, name="cancel"),
]
