"""The `webhook` alert channel (to be built)."""

from __future__ import annotations

from collections.abc import Callable

from mldebt.integrations.alert_channels.base import ChannelTarget, Notification, SendResult


class SignedWebhookChannel:
    kind = "webhook"

    def send(self, target: ChannelTarget, notification: Notification,
             sleep: Callable[[float], None] | None = None) -> SendResult:
        return SendResult(ok=False, attempts=0, error="not built yet")


CHANNEL = SignedWebhookChannel()
