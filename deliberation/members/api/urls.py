from django.urls import path

from . import personal_data, views

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("members/<id:pk>/", views.MemberProfileView.as_view(), name="api-member"),
    path("me/export/", personal_data.ExportView.as_view(), name="api-me-export"),
    path(
        "me/export/<id:pk>/",
        personal_data.ExportDetailView.as_view(),
        name="api-me-export-detail",
    ),
    path(
        "me/export/<id:pk>/download/",
        personal_data.ExportDownloadView.as_view(),
        name="api-me-export-download",
    ),
    path("me/delete/", personal_data.DeleteAccountView.as_view(), name="api-me-delete"),
    path("units/", views.UnitListView.as_view(), name="api-units"),
    path("units/<id:pk>/", views.UnitDetailView.as_view(), name="api-unit"),
    path("roles/", views.RoleListView.as_view(), name="api-roles"),
    path("roles/<id:pk>/end/", views.RoleEndView.as_view(), name="api-role-end"),
]
