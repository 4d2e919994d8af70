from django.contrib import admin

from coproduce.members.models import Application, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "role", "status", "area", "joined_at"]
    list_filter = ["community", "role", "status"]
    list_select_related = ["user", "community", "area"]
    search_fields = ["user__name", "user__email"]
    raw_id_fields = ["user", "area", "registered_by"]
    filter_horizontal = ["skills", "interests"]
    # Joining, leaving and role changes are audited: they happen on the community's pages
    # (apply/approve, leave, change role), which call the services.
    readonly_fields = ["community", "user", "role", "status", "joined_at", "left_at", "registered_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "status", "created_at", "decided_at"]
    list_filter = ["community", "status"]
    list_select_related = ["user", "community"]
    raw_id_fields = ["user", "area"]

    # Decisions are audited and e-mailed to the applicant: coordinators make them on the
    # community's application pages. Here site admins can only look.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
