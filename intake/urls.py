from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("requests/", views.inbox, name="inbox"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/status/", views.request_status, name="request_status"),
    path("requests/<int:pk>/assign/", views.request_assign, name="request_assign"),
    path("requests/<int:pk>/notes/", views.request_note, name="request_note"),
    path("requests/<int:pk>/convert/", views.request_convert, name="request_convert"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:pk>/spam/", views.request_spam, name="request_spam"),
    path("requests/<int:pk>/merge/", views.request_merge, name="request_merge"),
    path("messages/", views.message_list, name="messages"),
    path("messages/<int:pk>/", views.message_detail, name="message"),
    path("messages/<int:pk>/handled/", views.message_handled, name="message_handled"),
]
