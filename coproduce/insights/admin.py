from django.contrib import admin

from coproduce.insights.models import (
    AreaIndicator,
    CommunityValuation,
    Rate,
    RateSet,
    SelfAssessment,
)


class RateInline(admin.TabularInline):
    model = Rate
    extra = 0
    fields = ("activity", "per_hour", "occupation", "source", "year")


@admin.register(RateSet)
class RateSetAdmin(admin.ModelAdmin):
    list_display = ("name", "currency", "country")
    search_fields = ("name",)
    inlines = [RateInline]


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = ("rate_set", "activity", "per_hour", "year")
    list_filter = ("rate_set", "activity")


@admin.register(CommunityValuation)
class CommunityValuationAdmin(admin.ModelAdmin):
    list_display = ("community", "rate_set")
    autocomplete_fields = ("rate_set",)


@admin.register(AreaIndicator)
class AreaIndicatorAdmin(admin.ModelAdmin):
    list_display = ("community", "area", "indicator", "value", "year")
    list_filter = ("community", "indicator")
    raw_id_fields = ("area",)


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(admin.ModelAdmin):
    list_display = ("organisation", "assessed_on", "created_by")
    raw_id_fields = ("organisation", "created_by")
