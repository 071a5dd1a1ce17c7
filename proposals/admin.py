"""Admin: topics are edited freely; policy changes go through the service so they
are checked and written to the audit log; proposals are read-only here (they move
only through their services)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from . import services
from .models import Policy, Proposal, StateChange, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "admission_quorum",
        "support_days",
        "discussion_days",
        "freeze_days",
        "voting_days",
        "majority",
        "ballot",
    ]
    fields = ["unit", *services.POLICY_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ["unit"] if obj else []

    def save_model(self, request, obj, form, change):
        if obj.is_default:
            super().save_model(request, obj, form, change)
            return
        values = {
            f: form.cleaned_data[f]
            for f in services.POLICY_FIELDS
            if f in form.cleaned_data
        }
        try:
            saved = services.set_unit_policy(
                actor=request.user, unit=obj.unit, reason="admin", **values
            )
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, str(exc))
            return
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


class StateChangeInline(admin.TabularInline):
    model = StateChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "at", "cause", "actor"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "unit",
        "state",
        "support_count",
        "support_needed",
        "created",
    ]
    list_filter = ["state"]
    search_fields = ["title"]
    inlines = [StateChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Proposal._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
