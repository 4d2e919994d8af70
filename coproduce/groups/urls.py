from django.urls import path

from coproduce.groups import views

app_name = "groups"

urlpatterns = [
    path("c/<slug:slug>/groups/", views.group_list, name="list"),
    path("c/<slug:slug>/groups/new/", views.group_new, name="new"),
    path("c/<slug:slug>/groups/<int:pk>/", views.group_detail, name="detail"),
    path("c/<slug:slug>/groups/<int:pk>/join/", views.group_join, name="join"),
    path("c/<slug:slug>/groups/<int:pk>/leave/", views.group_leave, name="leave"),
    path("c/<slug:slug>/groups/<int:pk>/role/", views.group_role, name="role"),
    path("c/<slug:slug>/groups/<int:pk>/invitation/accept/", views.accept_invitation, name="accept"),
    path("c/<slug:slug>/groups/<int:pk>/invitation/decline/", views.decline_invitation, name="decline"),
    path("c/<slug:slug>/groups/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("c/<slug:slug>/groups/<int:pk>/calendar/renew/", views.renew_feed, name="renew_feed"),
    path("c/<slug:slug>/groups/<int:pk>/threads/", views.threads, name="threads"),
    path("c/<slug:slug>/groups/<int:pk>/threads/<int:thread_pk>/", views.thread, name="thread"),
    path("c/<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session"),
    path("c/<slug:slug>/sessions/<int:pk>/book/", views.session_book, name="book"),
    path("c/<slug:slug>/sessions/<int:pk>/unbook/", views.session_unbook, name="unbook"),
    path("c/<slug:slug>/sessions/<int:pk>/change/", views.session_change, name="session_change"),
    path("c/<slug:slug>/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("c/<slug:slug>/sessions/<int:pk>/register/", views.session_register, name="register"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
