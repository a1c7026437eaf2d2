from django.urls import path

from website import views

app_name = "website"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/<slug:slug>/", views.service, name="service"),
    path("which-service-fits-me/", views.fit, name="fit"),
    path("request-an-appointment/", views.request_appointment, name="request"),
    path("request-an-appointment/received/", views.request_received, name="request_received"),
    path("contact/", views.contact, name="contact"),
    path("contact/sent/", views.contact_sent, name="contact_sent"),
]
