from django.urls import path

from coproduce.referrals import views

app_name = "referrals"

urlpatterns = [
    path("c/<slug:slug>/referrals/", views.referral_list, name="list"),
    path("c/<slug:slug>/referrals/new/", views.referral_new, name="new"),
    path("c/<slug:slug>/referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("c/<slug:slug>/referrals/<int:pk>/advance/", views.referral_advance, name="advance"),
    path("c/<slug:slug>/directory/<uuid:pk>/signpost/", views.signpost, name="signpost"),
]
