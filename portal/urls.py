from django.contrib import admin
from django.urls import include, path

from portal import views

admin.site.site_header = "Lode administration"
admin.site.site_title = "Lode admin"

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("", include("ideas.urls")),
]
