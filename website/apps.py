from django.apps import AppConfig

from common.bounds import Bounds

# How stale a public page may be in another worker after an edit: a minute at most.
BOUNDS = {
    "PUBLIC_PAGE_RECHECK_SECONDS": Bounds(0, 60, "seconds between reads of the services"),
}


class WebsiteConfig(AppConfig):
    name = "website"
    verbose_name = "Public website"

    def ready(self) -> None:
        from django.conf import settings

        from common.bounds import check_bounds

        check_bounds(settings, BOUNDS)
