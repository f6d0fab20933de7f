from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("parcauto.portal.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("dev/mail/", include("parcauto.portal.dev_mail_urls")),  # 404 unless DEBUG
]
