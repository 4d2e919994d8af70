from django.urls import path

from coproduce.safeguarding import views

app_name = "safeguarding"

urlpatterns = [
    path("c/<slug:slug>/coordinate/checks/", views.overview, name="overview"),
    path("c/<slug:slug>/coordinate/checks/<int:member_pk>/", views.member_checks, name="member"),
]
