"""Images that live on other servers, known by reference and fetched on first view (see :mod:`.remote`).

Rows point at the post or account they belong to by string (``"posts.Post"``, ``"identities.Account"``)
so this low layer imports neither; the rows go when their post or account goes, and with them (as
``FileField``\\ s, which deleting an account cleans up) the cached copies.
"""

from __future__ import annotations

from django.db import models

from spool.core.models import SnowflakeModel


class RemoteImage(SnowflakeModel):
    class Kind(models.TextChoices):
        ATTACHMENT = "attachment"
        AVATAR = "avatar"
        HEADER = "header"

    url = models.CharField(max_length=2000)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    post = models.ForeignKey("posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        "identities.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    alt_text = models.CharField(max_length=1000, blank=True, default="")
    # The cached copy: empty until the first successful fetch.
    file = models.FileField(upload_to="remote-cache/%Y/%m/", blank=True, default="")
    content_type = models.CharField(max_length=40, blank=True, default="", help_text="Read from the bytes.")
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    fetched_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["post", "position"]), models.Index(fields=["account", "kind"])]

    def __str__(self) -> str:
        return self.url
