from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from ideas.api import views as api_views
from portal import views
from portal.settings import env_bool

# The admin logs in through allauth's page, so its log-in shares allauth's brute-force limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Lode administration"
admin.site.site_title = "Lode admin"

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("api/v1/", include("ideas.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_views.DocsView.as_view(url_name="schema"), name="api_docs"),
    path("account/api-token/", api_views.api_token, name="api_token"),
    path("account/data/", views.account_data, name="account_data"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("", include("ideas.urls")),
]

# A trivial page with the same middleware and base template, for the benchmark's
# framework-ceiling figure (bench/run.py); never routed unless LODE_BENCH_CEILING=true.
if env_bool("LODE_BENCH_CEILING", False):
    urlpatterns.insert(0, path("bench/ceiling/", views.bench_ceiling, name="bench_ceiling"))

handler500 = "portal.views.server_error"
