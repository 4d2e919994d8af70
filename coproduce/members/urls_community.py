# The community's own pages (its public home, settings, areas, categories): they live with the
# members because who may see them depends on membership; the URL names stay "communities:…".
from django.urls import path

from coproduce.members import views_community as views

app_name = "communities"

urlpatterns = [
    path("c/<slug:slug>/", views.community_home, name="home"),
    path("c/<slug:slug>/theme.css", views.theme_css, name="theme"),
    path("c/<slug:slug>/coordinate/settings/", views.community_settings, name="settings"),
    path("c/<slug:slug>/coordinate/areas/", views.areas, name="areas"),
    path("c/<slug:slug>/coordinate/categories/", views.categories, name="categories"),
    path("c/<slug:slug>/coordinate/categories/<int:pk>/rename/", views.rename_category, name="rename_category"),
    path("c/<slug:slug>/coordinate/categories/<int:pk>/retire/", views.retire_category, name="retire_category"),
    path("c/<slug:slug>/coordinate/categories/<int:pk>/restore/", views.restore_category, name="restore_category"),
]
