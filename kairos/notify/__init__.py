"""Notifications: events written to an outbox with the state change that caused them, sent by a loop of their
own through Apprise or a plain JSON webhook (docs/notifications.md)."""
