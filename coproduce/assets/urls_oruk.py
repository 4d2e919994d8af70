"""The Open Referral UK 3.0 feed, included at ``/oruk/``.

Ids are matched as any path segment and checked in the views, so a malformed id gets the feed's
JSON 404 instead of the site's HTML one; anything else under ``/oruk/`` is a JSON 404 too.
Trailing slashes are optional, as readers of the standard use both.
"""

from django.urls import path, re_path

from coproduce.assets import views_oruk

app_name = "oruk"

urlpatterns = [
    re_path(r"^$", views_oruk.index, name="index"),
    re_path(r"^openapi\.json$", views_oruk.openapi, name="openapi"),
    re_path(r"^services/?$", views_oruk.services, name="services"),
    path("services/<str:id>", views_oruk.service, name="service"),
    path("services/<str:id>/", views_oruk.service),
    re_path(r"^taxonomies/?$", views_oruk.taxonomies, name="taxonomies"),
    path("taxonomies/<str:id>", views_oruk.taxonomy, name="taxonomy"),
    path("taxonomies/<str:id>/", views_oruk.taxonomy),
    re_path(r"^taxonomy_terms/?$", views_oruk.taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:id>", views_oruk.taxonomy_term, name="taxonomy_term"),
    path("taxonomy_terms/<str:id>/", views_oruk.taxonomy_term),
    re_path(
        r"^service_at_locations/?$", views_oruk.service_at_locations, name="service_at_locations"
    ),
    path("service_at_locations/<str:id>", views_oruk.service_at_location, name="service_at_location"),
    path("service_at_locations/<str:id>/", views_oruk.service_at_location),
    re_path(r"^organizations/?$", views_oruk.organizations, name="organizations"),
    path("organizations/<str:id>", views_oruk.organization, name="organization"),
    path("organizations/<str:id>/", views_oruk.organization),
    re_path(r"^(?P<rest>.*)$", views_oruk.not_found),
]
