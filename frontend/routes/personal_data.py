from django.urls import path

from frontend.views import personal_data

urlpatterns = [
    path("settings/data/", personal_data.data_page, name="settings_data"),
    path(
        "settings/data/export/",
        personal_data.export_request,
        name="settings_data_export",
    ),
    path(
        "settings/data/delete/",
        personal_data.delete_request,
        name="settings_data_delete",
    ),
    path(
        "settings/data/delete/cancel/",
        personal_data.delete_cancel,
        name="settings_data_delete_cancel",
    ),
]
