from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_new, name="new"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/diagnoses/add/", views.item_add, {"kind": "diagnosis"}, name="diagnosis_add"),
    path(
        "<int:pk>/diagnoses/<int:item_id>/resolve/",
        views.item_end,
        {"kind": "diagnosis"},
        name="diagnosis_end",
    ),
    path(
        "<int:pk>/medications/add/", views.item_add, {"kind": "medication"}, name="medication_add"
    ),
    path(
        "<int:pk>/medications/<int:item_id>/stop/",
        views.item_end,
        {"kind": "medication"},
        name="medication_end",
    ),
    path("<int:pk>/allergies/add/", views.item_add, {"kind": "allergy"}, name="allergy_add"),
    path(
        "<int:pk>/allergies/<int:item_id>/remove/",
        views.item_end,
        {"kind": "allergy"},
        name="allergy_end",
    ),
    # The chart's other tabs (clients.panels.TABS): last, after the record's own
    # pages, so "edit" is never read as a tab; an unknown tab is a 404.
    path("<int:pk>/<slug:tab>/", views.client_tab, name="tab"),
]
