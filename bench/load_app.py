"""The JSON API as one ASGI app object, for Granian in bench/load.py (it takes no factory)."""

from crm_pwa.api.app import create_api

app = create_api()
