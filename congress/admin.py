"""The operator's view of congresses (read-only: every change goes through the
services, so it is audited — the API and `manage.py shell`)."""

from django.contrib import admin

from .models import Congress, CongressItem, Delegate, DelegateVote


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Congress)
class CongressAdmin(ReadOnly):
    list_display = ("name", "starts", "ends", "items_deadline", "closed_at")


@admin.register(Delegate)
class DelegateAdmin(ReadOnly):
    list_display = ("member", "unit", "congress", "chosen")
    list_select_related = ("member", "unit", "congress")


@admin.register(CongressItem)
class CongressItemAdmin(ReadOnly):
    list_display = ("proposal", "congress", "route", "turnout", "decision")
    list_select_related = ("proposal", "congress")


@admin.register(DelegateVote)
class DelegateVoteAdmin(ReadOnly):
    list_display = ("delegate", "clause", "vote")
    list_select_related = ("delegate__member", "clause")
