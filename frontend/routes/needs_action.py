from django.urls import path

from frontend.views import needs_action

urlpatterns = [
    path("needs-action/", needs_action.needs_action_page, name="needs_action"),
]
