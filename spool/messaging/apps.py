from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "spool.messaging"
    label = "messaging"

    def ready(self) -> None:
        from spool.core.events import subscribe
        from spool.messaging.services.ghosts import on_post_created
        from spool.messaging.services.moderation import on_messages_removed
        from spool.moderation.events import MessagesRemoved
        from spool.posts.events import PostCreated

        # In the reply's transaction: the message exists exactly when the reply does.
        subscribe(PostCreated, on_post_created)
        # In the moderation action's transaction: removed exactly when the action is recorded.
        subscribe(MessagesRemoved, on_messages_removed)
