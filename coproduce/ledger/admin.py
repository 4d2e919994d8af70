"""Read-only ledger admin: every change goes through coproduce.ledger.services."""

from django.contrib import admin

from coproduce.ledger.models import Account, Entry, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "community", "kind", "balance", "min_override", "max_override"]
    list_filter = ["kind"]
    list_select_related = ["community"]
    raw_id_fields = ["membership", "organisation"]
    show_full_result_count = False


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ["account", "amount", "balance_after"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["id", "community", "kind", "status", "performed_on", "keyed_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["community", "keyed_by"]
    search_fields = ["=id", "=idempotency_key"]
    inlines = [EntryInline]
    show_full_result_count = False
