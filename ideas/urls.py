from django.urls import path

from ideas.views import capture, forum

app_name = "ideas"

urlpatterns = [
    path("", forum.idea_list, name="list"),
    path("roadmap/", forum.roadmap, name="roadmap"),
    path("ideas/new/", forum.idea_new, name="new"),
    path("ideas/similar/", forum.similar, name="similar"),
    path("ideas/<int:pk>-<str:slug>/", forum.idea_detail, name="detail"),
    path("ideas/<int:pk>/vote/", forum.vote, name="vote"),
    path("ideas/<int:pk>/unvote/", forum.unvote, name="unvote"),
    path("ideas/<int:pk>/comments/", forum.comment, name="comment"),
    path("ideas/<int:pk>/follow/", forum.follow, name="follow"),
    path("capture/", capture.capture, name="capture"),
    path("capture/<int:pk>/saved/", capture.capture_saved, name="capture_saved"),
    path("capture/accounts/", capture.account_typeahead, name="capture_accounts"),
    path("capture/accounts/pick/", capture.account_pick, name="capture_account_clear"),
    path("capture/accounts/<int:pk>/pick/", capture.account_pick, name="capture_account_pick"),
    path("capture/suggestions/", capture.idea_suggestions, name="capture_suggestions"),
    path("my/signals/", capture.my_signals, name="my_signals"),
    path("crm/accounts/", capture.account_list, name="accounts"),
    path("crm/accounts/<int:pk>/", capture.account_detail, name="account_detail"),
]
