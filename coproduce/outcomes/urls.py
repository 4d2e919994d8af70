from django.urls import path

from coproduce.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("c/<slug:slug>/wellbeing/", views.wellbeing, name="wellbeing"),
    path("c/<slug:slug>/wellbeing/paper/", views.paper_form, name="paper_form"),
    path("c/<slug:slug>/coordinate/wellbeing/", views.report, name="report"),
    path("c/<slug:slug>/coordinate/wellbeing/report.csv", views.report_csv, name="report_csv"),
    path("c/<slug:slug>/coordinate/wellbeing/enter/", views.enter_paper_form, name="enter"),
]
