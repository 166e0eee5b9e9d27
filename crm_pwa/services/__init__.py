"""Use cases shared by the pages and the JSON API: load, decide (domain), persist."""
