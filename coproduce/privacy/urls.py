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
]
