"""A tiny signed-token service."""
