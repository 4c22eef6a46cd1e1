"""Notifications: targets from config (`notify:`), events from the outbox, webhook and Apprise delivery."""
