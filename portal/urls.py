from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from ideas.api import views as api_views
from portal import views

# The admin logs in through allauth's page, so its log-in shares allauth's brute-force limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Lode administration"
admin.site.site_title = "Lode admin"

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include("ideas.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_views.DocsView.as_view(url_name="schema"), name="api_docs"),
    path("account/api-token/", api_views.api_token, name="api_token"),
    path("", include("ideas.urls")),
]

handler500 = "portal.views.server_error"
