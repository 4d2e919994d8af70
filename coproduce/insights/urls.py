from django.urls import path

from coproduce.insights import views, views_dashboard, views_network, views_releases

app_name = "insights"

urlpatterns = [
    # issue 6 points 1, 2, 8: dashboards (views_dashboard.py)
    path("c/<slug:slug>/insights/", views_dashboard.dashboard, name="dashboard"),
    path("c/<slug:slug>/insights/report/", views_dashboard.report_pdf, name="report"),
    path("c/<slug:slug>/insights/reports/<int:pk>/", views_dashboard.report_status, name="report_status"),
    path("c/<slug:slug>/insights/reports/<int:pk>/download/", views_dashboard.report_download,
         name="report_download"),
    path("c/<slug:slug>/insights/value/", views_dashboard.core_economy_account, name="core_economy"),
    path("c/<slug:slug>/insights/partner/<int:organisation_pk>/", views_dashboard.partner_slice,
         name="partner_slice"),
    path("c/<slug:slug>/figures/", views_dashboard.public_figures, name="public_figures"),
    # issue 11: released quarters and their corrections (views_releases.py)
    path("c/<slug:slug>/insights/releases/", views_releases.release_list, name="releases"),
    path("c/<slug:slug>/insights/releases/<str:quarter>/correct/", views_releases.correct, name="correct_release"),
    # issue 6 points 3 and 5 (views_network.py)
    path("c/<slug:slug>/insights/network/", views_network.network, name="network"),
    path("c/<slug:slug>/figures/network/", views_network.public_network, name="public_network"),
    path("c/<slug:slug>/insights/outreach/", views_network.outreach, name="outreach"),
    path("c/<slug:slug>/insights/outreach/<int:member_pk>/message/", views_network.outreach_message,
         name="outreach_message"),
    path("c/<slug:slug>/insights/areas/", views_network.areas, name="areas"),
    path("c/<slug:slug>/insights/indicators/", views.indicators, name="indicators"),
    path("c/<slug:slug>/insights/valuation-rates/", views.valuation_rates, name="valuation_rates"),
    path("c/<slug:slug>/insights/valuation-rates/categories/", views.category_activities, name="category_activities"),
    path("c/<slug:slug>/insights/co-production/", views.partners_overview, name="partners_overview"),
    path("c/<slug:slug>/insights/co-production/<int:organisation_pk>/", views.assessments, name="assessments"),
    path("c/<slug:slug>/insights/co-production/<int:organisation_pk>/new/", views.new_assessment,
         name="new_assessment"),
    path("c/<slug:slug>/insights/co-production/<int:organisation_pk>/<int:pk>/", views.assessment_detail,
         name="assessment"),
]
