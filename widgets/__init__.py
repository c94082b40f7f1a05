"""Notebook widgets for tensorkit; arrive with issue 4."""

__all__ = []
