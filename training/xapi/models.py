"""The pseudonym a person has towards the LRS, and the outbox of statements."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Actor(models.Model):
    """A person's opaque identity in xAPI statements (``account.name``): a random UUID, never
    derived from the account, so the LRS learns nothing about who it is. The row without a
    user is the platform itself, the actor of voiding statements."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("xAPI-Pseudonym")
        verbose_name_plural = _("xAPI-Pseudonyme")

    def __str__(self):
        return str(self.key)


class Statement(models.Model):
    """One statement waiting for (or past) delivery. Delivered in ``id`` order per actor."""

    statement_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="statements")
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("xAPI-Aussage")
        verbose_name_plural = _("xAPI-Aussagen")
        indexes = [
            models.Index(
                fields=["actor", "id"],
                condition=models.Q(sent_at__isnull=True),
                name="xapi_unsent_per_actor",
            )
        ]

    def __str__(self):
        return str(self.statement_id)
