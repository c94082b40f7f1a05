"""(Being written.)"""

__all__ = []
