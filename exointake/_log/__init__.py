"""The reaction log (private package): the log API, its storage and migrations."""

from ._core import *  # noqa: F403
from ._core import __all__ as __all__
