from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from coproduce.api import views, views_pages

app_name = "api"

urlpatterns = [
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", views_pages.docs, name="docs"),
    path("api/v1/me", views.MeView.as_view(), name="me"),
    path("api/v1/communities/<slug:slug>/balance", views.BalanceView.as_view(), name="balance"),
    path("api/v1/communities/<slug:slug>/statement", views.StatementView.as_view(), name="statement"),
    # Anything else under /api/ is a JSON 404 (an odd slug included), never the site's HTML page.
    re_path(r"^api/", views.not_found),
    path("me/tokens/", views_pages.tokens, name="tokens"),
    path("me/tokens/<int:pk>/revoke/", views_pages.revoke, name="revoke"),
]
