"""The practice's side of referrals, under /staff/referrals/."""

from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    path("new/<int:client_id>/", views.referral_new, name="new"),
    path("<int:pk>/", views.referral_detail, name="referral"),
    path("<int:pk>/answer/", views.referral_answer, name="answer"),
    path("<int:pk>/close/", views.referral_close, name="close"),
    path("disclosures/<int:client_id>/", views.disclosures, name="disclosures"),
]
