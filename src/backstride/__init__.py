"""backstride: walking measured from a lower-back sensor, and a pain-guided walking program.

The public API is the names in ``__all__``; they are imported lazily so that ``import backstride`` stays
fast (numpy, scipy and pydantic load only when first used).
"""

from __future__ import annotations

# Nothing imported at start-up, not even typing: the command line's entry point (backstride.cli.main)
# catches Ctrl-C only once this package is loaded, so the shorter that takes, the shorter the moment where an
# interrupt would print Python's traceback (and ``import backstride`` stays fast)
TYPE_CHECKING = False  # typing.TYPE_CHECKING
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "ActivityFileError": "backstride._errors",
    "BackstrideError": "backstride._errors",
    "InputError": "backstride._errors",
    "OptionNeeded": "backstride._errors",
    "UnsupportedFormatError": "backstride._errors",
    "ScreeningIncomplete": "backstride._errors",
    "Recording": "backstride.recording",
    "GaitResult": "backstride.gait",
    "WalkingBout": "backstride.gait",
    "InitialContact": "backstride.gait",
}

__all__ = [
    "ActivityFileError",
    "BackstrideError",
    "GaitResult",
    "InitialContact",
    "InputError",
    "OptionNeeded",
    "Recording",
    "ScreeningIncomplete",
    "UnsupportedFormatError",
    "WalkingBout",
    "__version__",
]

if TYPE_CHECKING:
    from backstride._errors import (
        ActivityFileError,
        BackstrideError,
        InputError,
        OptionNeeded,
        ScreeningIncomplete,
        UnsupportedFormatError,
    )
    from backstride.gait import GaitResult, InitialContact, WalkingBout
    from backstride.recording import Recording


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'backstride' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
