from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "spool.posts"
    label = "posts"

    def ready(self) -> None:
        from spool.posts import handlers

        handlers.connect()
