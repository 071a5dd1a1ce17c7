from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("units/", views.UnitListView.as_view(), name="api-units"),
    path("units/<id:pk>/", views.UnitDetailView.as_view(), name="api-unit"),
    path("roles/", views.RoleListView.as_view(), name="api-roles"),
    path("roles/<id:pk>/end/", views.RoleEndView.as_view(), name="api-role-end"),
]
