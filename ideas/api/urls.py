from django.urls import path, re_path

from ideas.api import views

app_name = "api"

urlpatterns = [
    path("ideas/", views.IdeaListView.as_view(), name="ideas"),
    path("ideas/similar/", views.SimilarIdeasView.as_view(), name="similar"),
    path("ideas/<int:pk>/", views.IdeaDetailView.as_view(), name="idea"),
    path("ideas/<int:pk>/status/", views.IdeaStatusView.as_view(), name="status"),
    path("ideas/<int:pk>/vote/", views.VoteView.as_view(), name="vote"),
    path("ideas/<int:pk>/comments/", views.CommentListView.as_view(), name="comments"),
    path("signals/", views.SignalListView.as_view(), name="signals"),
    path("accounts/", views.AccountListView.as_view(), name="accounts"),
    path("accounts/<str:external_id>/", views.AccountDetailView.as_view(), name="account"),
    path("categories/", views.CategoryListView.as_view(), name="categories"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
