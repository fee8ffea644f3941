from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = "Ideas"

    def ready(self) -> None:
        # Any saved or deleted idea or category makes the anonymous cache stale (ideas/cache.py).
        from ideas import cache

        cache.connect_signals()
