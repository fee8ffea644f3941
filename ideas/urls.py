from django.urls import path

from ideas.views import forum

app_name = "ideas"

urlpatterns = [
    path("", forum.idea_list, name="list"),
    path("ideas/<int:pk>-<str:slug>/", forum.idea_detail, name="detail"),
]
