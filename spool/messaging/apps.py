from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "spool.messaging"
    label = "messaging"

    def ready(self) -> None:
        from spool.core.events import subscribe
        from spool.messaging.services.ghosts import on_post_created
        from spool.posts.events import PostCreated

        # In the reply's transaction: the message exists exactly when the reply does.
        subscribe(PostCreated, on_post_created)
