from django.urls import path

from coproduce.assets import views_map

app_name = "assets_map"

urlpatterns = [
    path("c/<slug:slug>/directory/map.json", views_map.map_points, name="points"),
]
