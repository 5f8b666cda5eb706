"""Bad data: the chi-square test of the weighted residuals and the largest normalised residual.

At the weighted least-squares estimate, the residuals ``r = z - h(x)`` have covariance
``Omega = R - H C H^T`` (R the meter variances, H the Jacobian, C the estimate's covariance). Without gross
errors ``J = sum r_i^2 / sigma_i^2`` follows a chi-square law with ``m - n`` degrees of freedom; a value
above its ``1 - alpha`` quantile says some reading does not fit. The meter with the largest normalised
residual ``|r_i| / sqrt(Omega_ii)`` is then the most likely culprit (Handschin et al. 1975; Abur & Exposito,
*Power System State Estimation*, 2004, ch. 5): it is removed and the estimate repeated. A meter with
``Omega_ii`` near zero is critical: nothing else checks it, so its errors go unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

F64 = NDArray[np.float64]

CRITICAL_REDUNDANCY = 1e-6  # Omega_ii / sigma_i^2 below this: the meter is critical


@dataclass(frozen=True)
class ChiSquare:
    value: float
    dof: int
    p_value: float
    alpha: float

    @property
    def passed(self) -> bool:
        return self.dof <= 0 or self.p_value >= self.alpha

    @property
    def threshold(self) -> float:
        return float(chi2.ppf(1.0 - self.alpha, self.dof)) if self.dof > 0 else float("inf")

    def describe(self) -> str:
        if self.dof <= 0:
            return "no redundancy (as many meters as unknowns): bad data cannot be detected"
        verdict = "passed" if self.passed else "FAILED"
        return (f"chi-square {self.value:.2f} on {self.dof} degrees of freedom (threshold {self.threshold:.2f} at "
                f"alpha {self.alpha:g}; p = {self.p_value:.3g}): {verdict}")


def chi_square(r_weighted: F64, rank: int, alpha: float) -> ChiSquare:
    """The test of ``sum(r_weighted^2)`` with ``len(r) - rank`` degrees of freedom."""
    value = float(np.sum(r_weighted * r_weighted))
    dof = int(len(r_weighted) - rank)
    p = float(chi2.sf(value, dof)) if dof > 0 else 1.0
    return ChiSquare(value, dof, p, alpha)


def normalised_residuals(r: F64, sigma: F64, h_cov_diag: F64) -> tuple[F64, NDArray[np.bool_]]:
    """``|r| / sqrt(Omega_ii)`` and the critical-meter mask, from the residuals, the meter sigmas and the
    diagonal of ``H C H^T``."""
    omega = sigma * sigma - h_cov_diag
    critical = omega < CRITICAL_REDUNDANCY * sigma * sigma
    with np.errstate(invalid="ignore", divide="ignore"):
        rn = np.where(critical, np.nan, np.abs(r) / np.sqrt(np.maximum(omega, 1e-300)))
    return rn, critical


def gross_error(r: F64, sigma: F64, h_cov_diag: F64) -> F64:
    """Estimated size of a gross error on each meter: ``sigma^2 r / Omega_ii`` (SI)."""
    omega = np.maximum(sigma * sigma - h_cov_diag, 1e-300)
    return sigma * sigma * r / omega
