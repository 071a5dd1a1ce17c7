from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .forms import AdminSignInForm
from .models import Member, Membership, RoleAssignment, Unit


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Member)
class MemberAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Torget",
            {"fields": ("member_number", "full_name", "language", "invited_at")},
        ),
    )
    list_display = ["username", "full_name", "email", "member_number", "is_active"]
    search_fields = ["username", "full_name", "email", "member_number"]
    inlines = [MembershipInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Read-only here: roles are granted and ended through the audited services
    (API `/api/v1/roles/`), so that every use is in the public log."""

    list_display = ["member", "role", "unit", "starts", "ends", "ended_at"]
    list_filter = ["role"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# /admin/login/ under the same sign-in limits and messages as the sign-in page.
admin.site.login_form = AdminSignInForm
