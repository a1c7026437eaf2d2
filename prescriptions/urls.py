from django.urls import path

from prescriptions import views

app_name = "prescriptions"
urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
]
