from django.urls import path

from coproduce.privacy import views

app_name = "privacy"

urlpatterns = [
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/copies/", views.ask_for_copy, name="ask_for_copy"),
    path("me/data/copies/<int:pk>/", views.copy, name="copy"),
    path("me/data/copies/<int:pk>/download/", views.download, name="download"),
    path("c/<slug:slug>/coordinate/members/<int:pk>/data/", views.copy_for_member, name="copy_for_member"),
    path("site/records-of-processing/", views.records_of_processing, name="records"),
    path("me/data/erase/", views.erase_me, name="erase_me"),
    path("me/data/erasures/<int:pk>/cancel/", views.cancel_erasure, name="cancel_erasure"),
    path("c/<slug:slug>/coordinate/erasures/", views.erasures, name="erasures"),
    path("c/<slug:slug>/coordinate/erasures/<int:pk>/confirm/", views.confirm_erasure, name="confirm_erasure"),
    path("c/<slug:slug>/coordinate/members/<int:pk>/erase/", views.erase_member, name="erase_member"),
    path("c/<slug:slug>/coordinate/lawful-bases/", views.lawful_bases, name="lawful_bases"),
]
