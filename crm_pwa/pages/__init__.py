"""One module per route, each with its page state."""
