"""Statistics for counts of respondents: Wilson intervals, tests of change, BH adjustment, residuals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats


def wilson_interval(
    count: np.ndarray | Sequence[float] | float,
    nobs: np.ndarray | Sequence[float] | float,
    alpha: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    count : array-like
        Number of successes.
    nobs : array-like
        Number of trials; where it is 0 both bounds are NaN.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper bounds, same formula as ``statsmodels`` ``proportion_confint(method="wilson")``.
    """
    x = np.asarray(count, dtype=float)
    n = np.asarray(nobs, dtype=float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        low = np.where(n > 0, centre - half, np.nan)
        high = np.where(n > 0, centre + half, np.nan)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, str]:
    """Two-sided test of equal proportions, choosing the test by the expected counts.

    The pooled two-proportion z-test is used when every expected count of the 2 x 2 table is at
    least 5 (Cochran's rule); otherwise Fisher's exact test (two-sided), which is valid for small
    counts.

    Parameters
    ----------
    x1, n1 : int
        Successes and trials in the first group.
    x2, n2 : int
        Successes and trials in the second group.

    Returns
    -------
    (float, str)
        The p-value (NaN when a group is empty) and the test used: ``"z"`` or ``"fisher"``.
    """
    if n1 <= 0 or n2 <= 0:
        return float("nan"), ""
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    if expected.min() >= 5:
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x1 / n1 - x2 / n2) / se
        return float(2 * stats.norm.sf(abs(z))), "z"
    result = stats.fisher_exact(table.astype(int), alternative="two-sided")
    return float(result.pvalue), "fisher"


def bh_adjust(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values; NaN entries are left out of the family and stay NaN.

    Parameters
    ----------
    p_values : array-like of float

    Returns
    -------
    numpy.ndarray
        Adjusted p-values (same as ``statsmodels`` ``multipletests(method="fdr_bh")[1]``).
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def adjusted_residuals(table: np.ndarray) -> np.ndarray:
    """Adjusted standardised residuals (Haberman) of a contingency table, as KH Coder shows them.

    ``r_ij = (O_ij - E_ij) / sqrt(E_ij * (1 - R_i / N) * (1 - C_j / N))`` where ``R_i`` and ``C_j``
    are the row and column totals. Values above 1.96 (below -1.96) mark cells clearly more (less)
    frequent than independence predicts at the 5 % level.

    Parameters
    ----------
    table : numpy.ndarray
        Observed counts, rows x columns, with no empty row or column.

    Returns
    -------
    numpy.ndarray
        The residuals, same shape as ``table``.
    """
    obs = np.asarray(table, dtype=float)
    total = obs.sum()
    rows = obs.sum(axis=1, keepdims=True)
    cols = obs.sum(axis=0, keepdims=True)
    expected = rows * cols / total
    with np.errstate(divide="ignore", invalid="ignore"):
        return (obs - expected) / np.sqrt(expected * (1 - rows / total) * (1 - cols / total))


# --------------------------------------------------------------------------------------------
# suppression
