"""The public API is explicit: everything in __all__ exists, and nothing private leaks into it."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "backstride",
    "backstride.gait",
    "backstride.io",
    "backstride.activity",
    "backstride.clinic",
    "backstride.store",
    "backstride.batch",
    "backstride.report",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_exist_and_are_public(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported, f"{name} exports nothing"
    assert len(set(exported)) == len(exported)
    for attr in exported:
        assert not attr.startswith("_") or attr.startswith("__"), attr
        assert getattr(module, attr) is not None


def test_lazy_names_match_all() -> None:
    import backstride

    assert set(backstride._LAZY) | {"__version__"} == set(backstride.__all__)
