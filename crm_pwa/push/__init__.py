"""Web Push: VAPID keys and the sender that posts to push services."""
