from django.urls import path

from prescriptions import portal_views

app_name = "portal_rx"
urlpatterns = [
    path("", portal_views.prescription_list, name="list"),
    path("new/<int:referral_id>/", portal_views.new, name="new"),
    path("<int:pk>/", portal_views.detail, name="detail"),
    path("<int:pk>/revise/", portal_views.revise, name="revise"),
    path("<int:pk>/discontinue/", portal_views.discontinue, name="discontinue"),
]
