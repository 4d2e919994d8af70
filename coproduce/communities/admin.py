from django.contrib import admin

from coproduce.communities.models import Area, Category, Community


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [AreaInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "community", "activity", "retired"]
    list_filter = ["community", "activity", "retired"]
    list_select_related = ["parent", "community"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # Retire instead: exchanges and profiles point at categories.
