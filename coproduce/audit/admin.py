from django.contrib import admin

from coproduce.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "community", "actor", "action", "on_behalf_of", "subject"]
    list_filter = ["action", "community"]
    list_select_related = ["community", "actor", "on_behalf_of"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
