from django import forms
from django.contrib import admin

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities import hooks, services
from coproduce.communities.forms import LanguagesField
from coproduce.communities.models import Area, Category, Community


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


class CommunityAdminForm(LanguagesField, forms.ModelForm):
    class Meta:
        model = Community
        fields = ("slug", *services.SETTINGS_FIELDS)

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        services.check_started_on(self.instance, started_on)
        return started_on


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    form = CommunityAdminForm
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [AreaInline]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []  # links and bookmarks use it

    def save_model(self, request, obj, form, change):
        """Through the same rules as the services: default categories, audited settings."""
        if change:
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            services.update_community_settings(obj, actor=request.user, **changes)
        else:
            obj.save()
            services.install_default_categories(obj)
            # As ``create_community`` does: the matching vocabulary, the directory's own entries.
            hooks.community_created.send(obj)
            record_audit(actor=request.user, action=AuditAction.COMMUNITY_CREATED, community=obj,
                         subject=obj.name)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "community", "activity", "retired"]
    list_filter = ["community", "activity", "retired"]
    list_select_related = ["parent", "community"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # Retire instead: exchanges and profiles point at categories.
