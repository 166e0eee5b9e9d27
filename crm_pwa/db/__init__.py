"""SQLModel tables, the engine and sessions."""
