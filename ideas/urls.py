from django.urls import path

from ideas.views import board, capture, forum, triage

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
    path("triage/", triage.queue, name="triage"),
    path("triage/ideas/<int:pk>/", triage.review, name="triage_idea"),
    path("triage/ideas/<int:pk>/status/", triage.set_status, name="triage_status"),
    path("triage/ideas/<int:pk>/edit/", triage.edit, name="triage_edit"),
    path("triage/ideas/<int:pk>/owner/", triage.set_owner, name="triage_owner"),
    path("triage/ideas/<int:pk>/visibility/", triage.set_visibility, name="triage_visibility"),
    path("triage/ideas/<int:pk>/inputs/", triage.set_inputs, name="triage_inputs"),
    path("triage/ideas/<int:pk>/note/", triage.add_note, name="triage_note"),
    path("triage/ideas/<int:pk>/merge/", triage.merge, name="triage_merge"),
    path("triage/signals/<int:pk>/", triage.signal_panel, name="triage_signal"),
    path("triage/signals/<int:pk>/route/", triage.signal_route, name="triage_route"),
    path("triage/signals/<int:pk>/new-idea/", triage.signal_new_idea, name="triage_signal_idea"),
    path("board/", board.board, name="board"),
    path("board/export.csv", board.board_csv, name="board_csv"),
    path("board/bulk/", board.board_bulk, name="board_bulk"),
    path("board/weights/", board.weights, name="weights"),
]
