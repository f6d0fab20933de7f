import os

from django.core.wsgi import get_wsgi_application

from parcauto.core.checks import startup_checks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcauto.settings")
application = get_wsgi_application()
# A WSGI server runs no system checks: stop here, before serving anything, on a setting
# that would leave production unsafe (parcauto.core.checks).
startup_checks()
