from django.urls import path

from coproduce.notifications import views

app_name = "notifications"

urlpatterns = [
    path("me/email/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
