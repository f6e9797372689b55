from django.urls import path

from spool.web.views import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
]
