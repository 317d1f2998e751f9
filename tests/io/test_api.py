"""backstride.io's public names are explicit and exist."""

from __future__ import annotations

import backstride.io as io


def test_all_names_exist_and_are_public() -> None:
    assert len(set(io.__all__)) == len(io.__all__)
    for name in io.__all__:
        assert not name.startswith("_")
        assert getattr(io, name) is not None
    assert {"read", "iter_chunks", "detect_format", "FORMATS", "sample_path", "validate"} <= set(io.__all__)
