"""The contract every gait stage follows, after scikit-learn's estimators and mobgap's algorithm objects.

Parameters are keyword-only and only stored by ``__init__``; one action method takes the data and returns
``self``; what it found sits in attributes ending in ``_``. Stages of one family share a base class, so they
are drop-in replacements for each other.
"""

from __future__ import annotations

from typing import Any


class Stage:
    """Base of every gait stage: parameters in ``__init__``, results in trailing-underscore attributes."""

    def get_params(self) -> dict[str, Any]:
        """The stage's parameters (its ``__init__`` keywords) and their values."""
        return {k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
