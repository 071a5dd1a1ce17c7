"""Read-only admin: every change to discussions goes through the services (which check
permissions, keep history and write the public logs), never through the admin."""

from django.contrib import admin

from .models import Appeal, Comment, LiveSession, ModerationAction, Thread


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "unit", "comment_count", "last_seq", "created"]
    list_filter = ["kind"]
    search_fields = ["title"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["id", "thread", "author", "stance", "created", "hidden", "deleted"]
    list_filter = ["stance", "hidden"]
    list_select_related = ["thread", "author"]


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["created", "kind", "moderator", "unit", "comment", "reason"]
    list_filter = ["kind"]
    list_select_related = ["moderator", "unit"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = [
        "created",
        "comment",
        "author",
        "hidden_by",
        "decided_by",
        "outcome",
    ]


@admin.register(LiveSession)
class LiveSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "facilitator", "starts", "ends", "closed"]
