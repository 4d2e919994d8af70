from django.urls import path

from coproduce.partners import views

app_name = "partners"

urlpatterns = [
    path("c/<slug:slug>/partners/", views.organisation_list, name="list"),
    path("c/<slug:slug>/partners/new/", views.organisation_new, name="new"),
    path("c/<slug:slug>/partners/<int:pk>/", views.organisation_detail, name="detail"),
    path("c/<slug:slug>/partners/<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("c/<slug:slug>/partners/<int:pk>/staff/add/", views.staff_add, name="staff_add"),
    path("c/<slug:slug>/partners/<int:pk>/staff/<int:staff_pk>/end/", views.staff_end, name="staff_end"),
    path("c/<slug:slug>/partners/<int:pk>/opportunities/new/", views.opportunity_new, name="opportunity_new"),
    path("c/<slug:slug>/partners/<int:pk>/listings/new/", views.listing_new, name="listing_new"),
    path("c/<slug:slug>/partners/<int:pk>/exchanges/new/", views.agency_exchange, name="agency_exchange"),
    path("c/<slug:slug>/partners/<int:pk>/give/", views.give_to_pot, name="give_to_pot"),
    path("c/<slug:slug>/partners/<int:pk>/gave-time/", views.community_time, name="community_time"),
    path("c/<slug:slug>/opportunities/<int:pk>/", views.opportunity_detail, name="opportunity"),
    path("c/<slug:slug>/opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("c/<slug:slug>/opportunities/<int:pk>/sign-up/", views.opportunity_sign_up, name="sign_up"),
    path("c/<slug:slug>/opportunities/<int:pk>/sign-up-for/", views.opportunity_sign_up_for, name="sign_up_for"),
    path("c/<slug:slug>/opportunities/<int:pk>/withdraw/", views.opportunity_withdraw, name="withdraw"),
    path("c/<slug:slug>/opportunities/<int:pk>/cancel/", views.opportunity_cancel, name="cancel"),
    path("c/<slug:slug>/opportunities/<int:pk>/attendance/", views.opportunity_attendance, name="attendance"),
    path("c/<slug:slug>/opportunities/<int:pk>/attendance/everyone-came/", views.opportunity_everyone_came,
         name="everyone_came"),
    path("c/<slug:slug>/listings/<int:pk>/buy/", views.listing_buy, name="buy"),
]
