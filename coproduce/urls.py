from django.contrib import admin
from django.urls import include, path

from coproduce.accounts import views as account_views
from coproduce.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("home/", web_views.my_home, name="my_home"),
    path("home/<slug:slug>/matching/", web_views.my_home_matching, name="my_home_matching"),
    path("time-banks/", web_views.time_banks, name="time_banks"),
    path("language/", web_views.set_language, name="set_language"),
    # Taken over from allauth and the admin so that every log-in passes the TOTP step.
    path("accounts/2fa/totp/activate/", account_views.activate_totp, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("admin/login/", account_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("oruk/", include("coproduce.assets.urls_oruk")),
    path("", include("coproduce.api.urls")),
    path("", include("coproduce.federation.urls")),
    path("", include("coproduce.members.urls_community")),
    path("", include("coproduce.members.urls")),
    path("", include("coproduce.ledger.urls")),
    path("", include("coproduce.partners.urls")),
    path("", include("coproduce.rewards.urls")),
    path("", include("coproduce.localmoney.urls")),
    path("", include("coproduce.groups.urls")),
    path("", include("coproduce.assets.urls_map")),
    path("", include("coproduce.assets.urls")),
    path("", include("coproduce.assets.urls_import")),
    path("", include("coproduce.referrals.urls")),
    path("", include("coproduce.market.urls")),
    path("", include("coproduce.safeguarding.urls")),
    path("", include("coproduce.conversations.urls")),
    path("", include("coproduce.notifications.urls")),
    path("", include("coproduce.insights.urls")),
    path("", include("coproduce.outcomes.urls")),
    path("", include("coproduce.privacy.urls")),
]

handler403 = "coproduce.web.views.permission_denied"
handler404 = "coproduce.web.views.page_not_found"
