from django.urls import path

from coproduce.members import views

app_name = "members"

urlpatterns = [
    path("me/", views.my_communities, name="my_communities"),
    path("me/demographics/", views.demographics, name="demographics"),
    path("me/demographics/withdraw/", views.withdraw_demographics, name="withdraw_demographics"),
    path("c/<slug:slug>/apply/", views.apply, name="apply"),
    path("c/<slug:slug>/members/", views.directory, name="directory"),
    path("c/<slug:slug>/members/lookup/", views.member_lookup, name="lookup"),
    path("c/<slug:slug>/members/<int:pk>/", views.profile, name="profile"),
    path("c/<slug:slug>/members/<int:pk>/edit/", views.edit_profile_for, name="edit_for"),
    path("c/<slug:slug>/members/<int:pk>/role/", views.change_role, name="change_role"),
    path("c/<slug:slug>/profile/", views.edit_own_profile, name="edit_own"),
    path("c/<slug:slug>/leave/", views.leave, name="leave"),
    path("c/<slug:slug>/coordinate/", views.coordinator_dashboard, name="coordinate"),
    path("c/<slug:slug>/coordinate/applications/<int:pk>/", views.application_detail, name="application"),
    path("c/<slug:slug>/coordinate/applications/<int:pk>/notes/", views.application_notes, name="application_notes"),
    path("c/<slug:slug>/coordinate/applications/<int:pk>/approve/", views.application_approve,
         name="application_approve"),
    path("c/<slug:slug>/coordinate/applications/<int:pk>/decline/", views.application_decline,
         name="application_decline"),
    path("c/<slug:slug>/coordinate/assisted/new/", views.register_assisted, name="register_assisted"),
    path("c/<slug:slug>/coordinate/audit/", views.audit_log, name="audit"),
]
