"""The contract every gait stage follows, after scikit-learn's estimators and mobgap's algorithm objects.

Parameters are keyword-only and only stored by ``__init__``; one action method takes the data and returns
``self``; what it found sits in attributes ending in ``_``. Stages of one family share a base class, so they
are drop-in replacements for each other: a subclass that overrides the action method is what
:class:`~backstride.gait.GaitPipeline` runs (it works on :meth:`Stage.clone` copies, one per block, so a
stage given to it keeps no results of its own and blocks analysed side by side share nothing).
"""

from __future__ import annotations

import copy
from typing import Any, Self

from backstride._errors import InputError


class Stage:
    """Base of every gait stage: parameters in ``__init__``, results in trailing-underscore attributes."""

    def get_params(self) -> dict[str, Any]:
        """The stage's parameters (its ``__init__`` keywords) and their values."""
        return {k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")}

    def set_params(self, **params: Any) -> Self:
        """Change parameters in place (a name the stage does not have is refused) and return ``self``."""
        known = self.get_params()
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise InputError(
                f"{type(self).__name__} has no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters are {', '.join(known) or 'none'}"
            )
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def clone(self) -> Self:
        """A new stage of the same class with the same parameters (nested stages cloned too) and no results."""
        params = {
            k: v.clone() if isinstance(v, Stage) else copy.deepcopy(v) for k, v in self.get_params().items()
        }
        return type(self)(**params)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
