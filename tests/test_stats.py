"""The analysis path's order statistics give numpy's values, without importing ``numpy.ma``."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from backstride._stats import median, percentile


def test_median_and_percentiles_equal_numpys() -> None:
    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 4, 5, 10, 11, 64, 1001):
        for _ in range(30):
            x = rng.normal(size=n)
            assert median(x) == float(np.median(x))
            for q in (0.0, 1.0, 50.0, 90.0, 99.0, 100.0):
                assert percentile(x, q) == pytest.approx(float(np.percentile(x, q)), rel=1e-12, abs=1e-15)
    assert median([3.0, 1.0]) == 2.0 and median(np.array([[1.0, 5.0], [2.0, 9.0]])) == 3.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0], 90.0) == 10.0
    assert percentile([0.0, 10.0], 25.0) == 2.5


def test_nothing_or_a_nan_gives_nan_as_numpy_does() -> None:
    assert math.isnan(median(np.zeros(0))) and math.isnan(percentile([], 50.0))
    assert math.isnan(median([1.0, float("nan"), 3.0])) and math.isnan(percentile([1.0, float("nan")], 90.0))
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0, 2.0], 101.0)


def test_analysing_a_recording_does_not_import_numpys_masked_arrays() -> None:
    """numpy's median and percentile import numpy.ma (11-18 ms) at their first call; the CLI's analysis, with
    its readable report, uses none of them."""
    code = (
        "import contextlib, io, sys\n"
        "from backstride.cli import main\n"
        "from backstride.io._sample import sample_path\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    code = main(['analyze', str(sample_path()), '--height-m', '1.7'])\n"
        "print(code, 'numpy.ma' in sys.modules, 'numpy' in sys.modules, 'Walking' in out.getvalue())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False", "True", "True"]
