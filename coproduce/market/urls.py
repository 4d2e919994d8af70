from django.urls import path

from coproduce.market import views

app_name = "market"

urlpatterns = [
    path("c/<slug:slug>/market/", views.browse, name="browse"),
    path("c/<slug:slug>/market/new/", views.new_post, name="new"),
    path("c/<slug:slug>/market/new/suggest/", views.new_post_suggest, name="new_suggest"),
    path("c/<slug:slug>/market/categories/", views.category_suggestions, name="category_suggestions"),
    path("c/<slug:slug>/market/mine/", views.mine, name="mine"),
    path("c/<slug:slug>/market/matches/", views.matches, name="matches"),
    path("c/<slug:slug>/market/<int:pk>/", views.detail, name="detail"),
    path("c/<slug:slug>/market/<int:pk>/renew/", views.renew, name="renew"),
    path("c/<slug:slug>/market/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("c/<slug:slug>/market/<int:pk>/done/", views.mark_done, name="done"),
    path("c/<slug:slug>/market/<int:pk>/record/", views.record_exchange, name="record_exchange"),
    path("c/<slug:slug>/market/<int:pk>/thanks/", views.thank, name="thank"),
    path("c/<slug:slug>/market/<int:pk>/thanks/show/", views.show_thanks, name="show_thanks"),
    path("c/<slug:slug>/members/<int:member_pk>/post/", views.new_post_for, name="new_for"),
    path("c/<slug:slug>/members/<int:member_pk>/post/suggest/", views.new_post_for_suggest, name="new_for_suggest"),
    path("c/<slug:slug>/members/<int:member_pk>/thanks/", views.member_thanks, name="member_thanks"),
    path("c/<slug:slug>/coordinate/brokerage/", views.brokerage, name="brokerage"),
    path("c/<slug:slug>/coordinate/brokerage/<int:pk>/suggestions/", views.brokerage_suggestions,
         name="brokerage_suggestions"),
    path("c/<slug:slug>/coordinate/words/", views.vocabulary, name="vocabulary"),
    path("c/<slug:slug>/coordinate/words/<int:pk>/", views.category_words, name="category_words"),
    path("c/<slug:slug>/coordinate/words/<int:pk>/<int:word_pk>/remove/", views.remove_category_word,
         name="remove_category_word"),
]
