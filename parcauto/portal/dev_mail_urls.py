from django.urls import path

from . import dev_mail

urlpatterns = [
    path("", dev_mail.mail_list, name="dev_mail_list"),
    path("<str:name>/", dev_mail.mail_detail, name="dev_mail_detail"),
]
