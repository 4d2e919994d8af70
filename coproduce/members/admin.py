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


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "status", "created_at", "decided_at"]
    list_filter = ["community", "status"]
    list_select_related = ["user", "community"]
    readonly_fields = ["consent_version", "consented_at", "decided_by", "decided_at"]
    raw_id_fields = ["user", "area"]
