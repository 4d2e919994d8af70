from django.urls import path

from coproduce.assets import views

app_name = "assets"

urlpatterns = [
    path("c/<slug:slug>/directory/", views.directory, name="directory"),
    path("c/<slug:slug>/directory/new/", views.service_new, name="new"),
    path("c/<slug:slug>/directory/gifts/", views.gifts, name="gifts"),
    path("c/<slug:slug>/directory/needs-checking/", views.needs_checking, name="needs_checking"),
    path("c/<slug:slug>/directory/suggest/", views.suggest, name="suggest"),
    path("c/<slug:slug>/directory/suggestions/", views.suggestions, name="suggestions"),
    path(
        "c/<slug:slug>/directory/suggestions/<int:pk>/accept/",
        views.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        "c/<slug:slug>/directory/suggestions/<int:pk>/decline/",
        views.suggestion_decline,
        name="suggestion_decline",
    ),
    path("c/<slug:slug>/directory/venues/<int:partner_pk>/", views.venue, name="venue"),
    path("c/<slug:slug>/directory/<uuid:pk>/", views.service_detail, name="service"),
    path("c/<slug:slug>/directory/<uuid:pk>/edit/", views.service_edit, name="edit"),
    path("c/<slug:slug>/directory/<uuid:pk>/checked/", views.service_checked, name="checked"),
    path(
        "c/<slug:slug>/directory/<uuid:pk>/suggest/",
        views.suggest_correction,
        name="suggest_correction",
    ),
]
