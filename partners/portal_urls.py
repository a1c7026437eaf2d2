"""The partner portal, under /partner/: prescribers of medication-management partners."""

from django.urls import path

from partners import portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("referrals/<int:pk>/", portal_views.referral_detail, name="referral"),
    path("referrals/<int:pk>/schedule/", portal_views.referral_schedule, name="schedule"),
    path("referrals/<int:pk>/evaluate/", portal_views.referral_evaluate, name="evaluate"),
    path("referrals/<int:pk>/close/", portal_views.referral_close, name="close"),
]
