from django.urls import path

from coproduce.localmoney import views

app_name = "localmoney"

urlpatterns = [
    path("c/<slug:slug>/partners/<int:pk>/lm3/", views.survey_list, name="list"),
    path("c/<slug:slug>/partners/<int:pk>/lm3/new/", views.survey_edit, name="new"),
    path("c/<slug:slug>/partners/<int:pk>/lm3/<int:survey_pk>/", views.survey_detail, name="detail"),
    path("c/<slug:slug>/partners/<int:pk>/lm3/<int:survey_pk>/edit/", views.survey_edit, name="edit"),
    path("c/<slug:slug>/local-economy/", views.community_figure, name="community"),
]
