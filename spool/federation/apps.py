from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class FederationConfig(AppConfig):
    name = "spool.federation"
    label = "federation"
    verbose_name = "Federation (ActivityPub)"

    def ready(self) -> None:
        config = settings.SPOOL
        if config.federation_dev_mode and not config.debug:
            # Plain http and loopback addresses are for two instances on one machine, never for a site.
            raise ImproperlyConfigured("SPOOL_FEDERATION_DEV_MODE is refused unless SPOOL_DEBUG is on.")
        from spool.core.remote import register_remote_resolver
        from spool.federation import handlers, server_lists
        from spool.federation.models import AllowedServer, DomainBlock
        from spool.federation.services import resolve_remote_account
        from spool.identities.servers import register_allowed_servers, register_blocked_servers

        handlers.connect()
        server_lists.connect()
        register_remote_resolver(resolve_remote_account)
        register_blocked_servers(DomainBlock.objects.all)
        register_allowed_servers(AllowedServer.objects.all)
