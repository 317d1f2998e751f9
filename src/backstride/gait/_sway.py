"""How the horizontal movement correlates with itself one step (or stride) later, per direction.

The trunk sways toward the stance foot, so side to side the movement reverses at every step and repeats at
every stride, while forward it repeats at every step (the medio-lateral autocorrelation is negative at one
step, the antero-posterior one positive; Moe-Nilssen & Helbostad 2004, "Estimation of gait cycle
characteristics by trunk accelerometry", J Biomech 37:121–126). For two horizontal components ``x, y``
(any azimuth) the correlation along a direction ``v`` after ``lag`` samples is ``vᵀLv / vᵀCv``, with ``C``
the covariance and ``L`` the symmetric lag covariance; its extremes are the generalised eigenvalues of
``(L, C)``, the same whichever horizontal axes were chosen. The least one is the correlation in the least
repeating direction, and its eigenvector that direction.
"""

from __future__ import annotations

import numpy as np

from backstride.gait._filters import FloatArray


def least_lag_correlation(
    x: FloatArray, y: FloatArray, lags: np.ndarray
) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Per window (rows of ``x``, ``y``: ``(m, w)``), the least correlation after ``lags[i]`` samples.

    Returns ``(lam, direction, flat)``: ``lam`` ``(m,)`` in −1..1, ``direction`` ``(m, 2)`` the unit vector in
    ``(x, y)`` along which it is reached, and ``flat`` ``(m,)`` where there is no movement, or movement along
    one line only, so nothing can be told (``lam`` and ``direction`` are then meaningless).
    """
    w = x.shape[1]
    x = x - x.mean(axis=1, keepdims=True)
    y = y - y.mean(axis=1, keepdims=True)
    later = np.minimum(np.arange(w)[None, :] + lags[:, None], w - 1)
    valid = np.arange(w)[None, :] < (w - lags)[:, None]
    xl, yl = np.take_along_axis(x, later, axis=1), np.take_along_axis(y, later, axis=1)
    xn, yn = np.where(valid, x, 0.0), np.where(valid, y, 0.0)
    # covariance (c..) and symmetric lag covariance (l..), on the same footing
    cxx, cyy, cxy = (x * x).sum(axis=1), (y * y).sum(axis=1), (x * y).sum(axis=1)
    scale = w / np.maximum(w - lags, 1)
    lxx, lyy = (xn * xl).sum(axis=1) * scale, (yn * yl).sum(axis=1) * scale
    lxy = 0.5 * ((xn * yl).sum(axis=1) + (yn * xl).sum(axis=1)) * scale
    # det(L - lam C) = 0  <=>  a lam^2 - b lam + c = 0
    a = cxx * cyy - cxy**2
    b = cxx * lyy + cyy * lxx - 2 * cxy * lxy
    c = lxx * lyy - lxy**2
    flat = a <= 1e-9 * np.maximum(cxx + cyy, 1e-12) ** 2
    lam = (b - np.sqrt(np.maximum(b * b - 4 * a * c, 0.0))) / (2 * np.where(flat, 1.0, a))
    # (L - lam C) v = 0: v is perpendicular to the matrix's larger row
    m11, m12, m22 = lxx - lam * cxx, lxy - lam * cxy, lyy - lam * cyy
    first = m11 * m11 + m12 * m12 >= m12 * m12 + m22 * m22
    direction = np.column_stack([np.where(first, m12, m22), np.where(first, -m11, -m12)])
    norm = np.linalg.norm(direction, axis=1)
    flat = flat | (norm < 1e-12)
    direction = direction / np.maximum(norm, 1e-12)[:, None]
    return lam, direction, flat
