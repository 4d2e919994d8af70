from django.urls import path, re_path

from coproduce.federation import views, views_inbound

app_name = "federation"

urlpatterns = [
    path("federation/v1/<slug:slug>", views_inbound.about, name="about"),
    path("federation/v1/<slug:slug>/crossings", views_inbound.crossings, name="crossings"),
    path("federation/v1/<slug:slug>/crossings/<uuid:uuid>", views_inbound.crossing, name="crossing"),
    path("federation/v1/<slug:slug>/offers", views_inbound.offers, name="offers_feed"),
    re_path(r"^federation/", views_inbound.not_found),
    path("c/<slug:slug>/linked/", views.linked, name="linked"),
    path("c/<slug:slug>/linked/offers/", views.offers, name="offers"),
    path("c/<slug:slug>/linked/manage/", views.manage, name="manage"),
    path("c/<slug:slug>/linked/<int:pk>/check/", views.check, name="check"),
]
