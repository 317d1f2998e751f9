"""backstride: walking measured from a lower-back sensor, and a pain-guided walking program.

The public API is the names in ``__all__``; they are imported lazily so that ``import backstride`` stays
fast (numpy, scipy and pydantic load only when first used).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
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
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
