from django.urls import path

from coproduce.assets import views_import

app_name = "assets_import"

urlpatterns = [
    path(
        "c/<slug:slug>/coordinate/directory/import/", views_import.import_directory, name="import"
    ),
]
