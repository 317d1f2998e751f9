"""``backstride.batch`` exports what it documents, and importing the CLI does not import Dask."""

from __future__ import annotations

import subprocess
import sys

import backstride.batch


def test_all_names_exist_and_are_public() -> None:
    exported = backstride.batch.__all__
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert not name.startswith("_")
        assert getattr(backstride.batch, name) is not None


def test_cli_import_does_not_load_dask() -> None:
    # the application itself (backstride.cli only holds the entry point, which imports nothing)
    code = "import sys, backstride.cli._app; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
