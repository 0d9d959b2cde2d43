"""The clinic server: the PostgreSQL hub rooms replicate through (no Qt)."""
