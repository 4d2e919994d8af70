from django.urls import path

from coproduce.rewards import views

app_name = "rewards"

urlpatterns = [
    path("c/<slug:slug>/spend/", views.where_to_spend, name="spend"),
    path("c/<slug:slug>/spend/<int:pk>/code/", views.code_new, name="code_new"),
    path("c/<slug:slug>/spend/codes/<str:code>/", views.code_page, name="code"),
    path("c/<slug:slug>/spend/card/", views.my_card, name="card"),
    path("c/<slug:slug>/partners/<int:pk>/counter/", views.counter, name="counter"),
    path("c/<slug:slug>/partners/<int:pk>/counter/card/", views.counter_card, name="counter_card"),
    path("c/<slug:slug>/partners/<int:pk>/counter/recent/", views.recent, name="recent"),
    path("c/<slug:slug>/spend/figures/", views.marketplace_figures, name="figures"),
    path("c/<slug:slug>/spend/join/", views.join, name="join"),
    path("c/<slug:slug>/spend/join/requests/", views.join_requests, name="join_requests"),
]
