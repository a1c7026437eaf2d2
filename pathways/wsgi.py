"""The WSGI entry point, as gunicorn loads it in each worker (README, "Deploying")."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathways.settings")
application = get_wsgi_application()

# Load every view now rather than on the first request, then move everything loaded so
# far (hundreds of thousands of module-level objects: models, forms, FHIR classes) out of
# the garbage collector's sight (gc.freeze, Python docs: "gc — Garbage Collector
# interface"). They live as long as the worker; without this, every full collection walks
# them all again, and the pages that build many objects at once (the outcomes report, a
# FHIR export) paid for it on each request (issue 14; measured in DEVELOPERS.md).
get_resolver().url_patterns  # noqa: B018 (imports every URLconf and view module)
gc.freeze()
