"""Write an output folder all at once (see :mod:`synpharm.safety`, which implements it)."""

from synpharm.safety import staged_folder

__all__ = ["staged_folder"]
