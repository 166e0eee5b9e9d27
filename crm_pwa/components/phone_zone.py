"""The phone's own time zone, as the browser reports it (an IANA name such as Asia/Kolkata)."""

PHONE_ZONE_JS = "Intl.DateTimeFormat().resolvedOptions().timeZone"
