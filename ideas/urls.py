from django.urls import path

from ideas.views import forum

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
]
