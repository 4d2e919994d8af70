from django.urls import path

from coproduce.ledger import views, views_approvals

app_name = "ledger"

urlpatterns = [
    path("c/<slug:slug>/ledger/", views.statement, name="statement"),
    path("c/<slug:slug>/ledger/statement.csv", views.statement_csv, name="statement_csv"),
    path("c/<slug:slug>/ledger/pending/", views.pending, name="pending"),
    path("c/<slug:slug>/ledger/pending/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("c/<slug:slug>/ledger/pending/<int:pk>/decline/", views.decline, name="decline"),
    path("c/<slug:slug>/ledger/record/", views.record, name="record"),
    path("c/<slug:slug>/ledger/give/", views.give, name="give"),
    path("c/<slug:slug>/ledger/pot/", views.pot, name="pot"),
    path("c/<slug:slug>/ledger/timesheet/", views.timesheet, name="timesheet"),
    path("c/<slug:slug>/ledger/transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("c/<slug:slug>/ledger/transfers/<int:pk>/recorded/", views.recorded, name="recorded"),
    path("c/<slug:slug>/ledger/transfers/<int:pk>/reverse/", views.reverse, name="reverse"),
    path("c/<slug:slug>/coordinate/ledger/", views.search, name="search"),
    path("c/<slug:slug>/coordinate/ledger/record/", views.record_for, name="record_for"),
    path("c/<slug:slug>/coordinate/ledger/grant/", views.grant, name="grant"),
    path("c/<slug:slug>/coordinate/ledger/bulk/", views.bulk_entry, name="bulk_entry"),
    path("c/<slug:slug>/coordinate/ledger/limits/<int:pk>/", views.limits, name="limits"),
    path("c/<slug:slug>/coordinate/ledger/accounts/<int:pk>/limits/", views.account_limits, name="account_limits"),
    path("c/<slug:slug>/coordinate/approvals/", views_approvals.approvals, name="approvals"),
    path("c/<slug:slug>/coordinate/approvals/<int:pk>/approve/", views_approvals.approve, name="approve"),
    path("c/<slug:slug>/coordinate/approvals/<int:pk>/decline/", views_approvals.decline, name="decline_held"),
]
