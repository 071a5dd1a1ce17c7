"""Notifications, preferences and follows — built by the notifications issue."""
