from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from coproduce.api import views, views_exchanges, views_pages, views_posts

app_name = "api"

urlpatterns = [
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", views_pages.docs, name="docs"),
    path("api/v1/me", views.MeView.as_view(), name="me"),
    path("api/v1/communities/<slug:slug>/balance", views.BalanceView.as_view(), name="balance"),
    path("api/v1/communities/<slug:slug>/statement", views.StatementView.as_view(), name="statement"),
    path("api/v1/communities/<slug:slug>/exchanges", views_exchanges.ExchangesView.as_view(), name="exchanges"),
    path("api/v1/communities/<slug:slug>/exchanges/pending", views_exchanges.PendingView.as_view(), name="pending"),
    path("api/v1/communities/<slug:slug>/exchanges/<int:pk>/confirm",
         views_exchanges.AnswerView.as_view(answer="confirm"), name="confirm"),
    path("api/v1/communities/<slug:slug>/exchanges/<int:pk>/decline",
         views_exchanges.AnswerView.as_view(answer="decline"), name="decline"),
    path("api/v1/communities/<slug:slug>/posts", views_posts.PostsView.as_view(), name="posts"),
    path("api/v1/communities/<slug:slug>/posts/<int:pk>/withdraw", views_posts.WithdrawView.as_view(),
         name="withdraw"),
    # Anything else under /api/ is a JSON 404 (an odd slug included), never the site's HTML page.
    re_path(r"^api/", views.not_found),
    path("me/tokens/", views_pages.tokens, name="tokens"),
    path("me/tokens/<int:pk>/revoke/", views_pages.revoke, name="revoke"),
]
