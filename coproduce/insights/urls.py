from django.urls import path

from coproduce.insights import views

app_name = "insights"

urlpatterns = [
    path("c/<slug:slug>/insights/indicators/", views.indicators, name="indicators"),
    path("c/<slug:slug>/insights/valuation-rates/", views.valuation_rates, name="valuation_rates"),
    path("c/<slug:slug>/insights/co-production/", views.partners_overview, name="partners_overview"),
    path("c/<slug:slug>/insights/co-production/<int:organisation_pk>/", views.assessments, name="assessments"),
    path("c/<slug:slug>/insights/co-production/<int:organisation_pk>/new/", views.new_assessment,
         name="new_assessment"),
    path("c/<slug:slug>/insights/co-production/<int:organisation_pk>/<int:pk>/", views.assessment_detail,
         name="assessment"),
]
