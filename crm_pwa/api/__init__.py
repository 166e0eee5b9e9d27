"""The plain JSON API under /api/v1, for the service worker, the outbox and scripts."""
