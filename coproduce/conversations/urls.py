from django.urls import path

from coproduce.conversations import views

app_name = "conversations"

urlpatterns = [
    path("c/<slug:slug>/messages/", views.inbox, name="inbox"),
    path("c/<slug:slug>/messages/<int:pk>/", views.detail, name="detail"),
    path("c/<slug:slug>/messages/<int:pk>/report/<int:message_pk>/", views.report_message, name="report_message"),
    path("c/<slug:slug>/market/<int:pk>/message/", views.start, name="start"),
    path("c/<slug:slug>/members/<int:member_pk>/message/", views.message_member, name="message_member"),
    path("c/<slug:slug>/members/<int:member_pk>/report/", views.report_member, name="report_member"),
    path("c/<slug:slug>/members/<int:member_pk>/block/", views.block, name="block"),
    path("c/<slug:slug>/members/<int:member_pk>/unblock/", views.unblock, name="unblock"),
    path("c/<slug:slug>/coordinate/reports/", views.report_queue, name="reports"),
    path("c/<slug:slug>/coordinate/brokerage/<int:pk>/introduce/<int:member_pk>/", views.introduce,
         name="introduce"),
    path("c/<slug:slug>/coordinate/reports/<int:pk>/", views.report_detail, name="report"),
]
