"""Alert channels: one module per kind, registered in `CHANNELS` (keys: `domain.monitoring.CHANNEL_KINDS`)."""

from __future__ import annotations

from mldebt.integrations.alert_channels import alertmanager, signed_webhook, slack
from mldebt.integrations.alert_channels.base import AlertChannel, ChannelTarget, Notification, SendResult

CHANNELS: dict[str, AlertChannel] = {
    alertmanager.CHANNEL.kind: alertmanager.CHANNEL,
    slack.CHANNEL.kind: slack.CHANNEL,
    signed_webhook.CHANNEL.kind: signed_webhook.CHANNEL,
}

__all__ = ["CHANNELS", "AlertChannel", "ChannelTarget", "Notification", "SendResult"]
