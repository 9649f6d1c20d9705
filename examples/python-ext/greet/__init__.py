"""Greets quickly, with a C extension."""
from ._fast import shout  # noqa: F401
