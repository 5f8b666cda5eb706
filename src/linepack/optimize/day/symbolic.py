"""The simulator's gas properties as casadi expressions, so that the optimiser solves the same equations.

:class:`ZModel` gives Z(p) of the network gas at its temperature as the transient simulator evaluates it
(:class:`linepack.transient.equations.ZFast`):

* closed-form models (ideal gas, constant Z, linear Z, Papay) are written as they are;
* tabulated equations of state (GERG-2008, AGA8-DETAIL: a cubic Hermite table, :mod:`linepack.gas.ztable`)
  are written as a Chebyshev series fitted to the simulator's own table over the pressures the network can
  reach (error below 1e-10, reported in ``fit_error``), plus an offset per use that the optimiser sets to the
  table's value minus the series' at the current point (:meth:`ZModel.offset`): at the optimiser's fixed
  point the NLP's Z *is* the simulator's, and its slope differs by the series' derivative error only. A
  series is plain arithmetic for casadi, several times faster to differentiate than a table look-up.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...compile import CompiledNetwork
from ...errors import InputError
from ...gas.compressibility import ConstantZ, IdealGas, LinearZ, Papay
from ...transient.equations import ZFast

F64 = NDArray[np.float64]
FIT_TOL = 1e-10  # target of the Chebyshev fit of a tabulated Z (the table itself is within 1e-9 of the EOS)
MAX_DEGREE = 28


def casadi_module() -> Any:
    try:
        import casadi
    except ImportError:  # pragma: no cover (the optimize extra is installed in CI)
        raise InputError("the day-ahead optimiser needs casadi: pip install 'linepack[optimize]'") from None
    return casadi


class ZModel:
    """Z(p) [-] of the network gas for pressures [Pa] between ``p_lo_pa`` and ``p_hi_pa`` (see the module
    docstring). ``tabulated`` says whether the NLP needs the offsets of :meth:`offset`."""

    def __init__(self, cn: CompiledNetwork, p_lo_pa: float, p_hi_pa: float) -> None:
        model = cn.gas.compressibility
        self.cn = cn
        self.zfast = ZFast(cn)
        self.p_lo_pa, self.p_hi_pa = float(p_lo_pa), float(p_hi_pa)
        self.tabulated = hasattr(model, "table")
        self.fit_error = 0.0
        self.coef = np.zeros(0)
        if self.tabulated:
            table = model.table(cn.gas.temperature_k)
            if self.p_lo_pa < table.p_min_pa or self.p_hi_pa > table.p_max_pa:
                raise InputError(
                    f"day-ahead optimisation: pressures {self.p_lo_pa / 1e5:g}..{self.p_hi_pa / 1e5:g} bar exceed the "
                    f"range of the gas's Z table ({table.p_min_pa / 1e5:g}..{table.p_max_pa / 1e5:g} bar)"
                )
            p = np.linspace(self.p_lo_pa, self.p_hi_pa, 20001)
            z = self.zfast.value(p)
            x = self._x(p)
            for deg in range(8, MAX_DEGREE + 1, 2):
                c = np.polynomial.chebyshev.chebfit(x, z, deg)
                err = float(np.max(np.abs(np.polynomial.chebyshev.chebval(x, c) - z)))
                if err < FIT_TOL:
                    break
            self.coef, self.fit_error = c, err
        elif not isinstance(model, IdealGas | ConstantZ | LinearZ | Papay):
            raise InputError(
                f"the day-ahead optimiser has no casadi form of the compressibility model "
                f"'{getattr(model, 'name', model)}'; use gerg2008, aga8_detail, papay, linear, constant or ideal"
            )

    def _x(self, p: Any) -> Any:
        return (2.0 * p - self.p_lo_pa - self.p_hi_pa) * (1.0 / (self.p_hi_pa - self.p_lo_pa))

    def expression(self, p: Any) -> Any:
        """Z at the casadi pressures ``p`` [Pa] (without the offset of a tabulated model)."""
        model = self.cn.gas.compressibility
        t_k = self.cn.gas.temperature_k
        if self.tabulated:
            x = self._x(p)
            # Clenshaw's recurrence for sum c_k T_k(x)
            b1 = 0.0 * x
            b2 = 0.0 * x
            for ck in self.coef[:0:-1]:
                b1, b2 = 2.0 * x * b1 - b2 + float(ck), b1
            return x * b1 - b2 + float(self.coef[0])
        if isinstance(model, IdealGas):
            return 0.0 * p + 1.0
        if isinstance(model, ConstantZ):
            return 0.0 * p + float(model.z_value)
        if isinstance(model, LinearZ):
            return float(model.offset) + float(model.slope_per_bar) * (p / 1e5)
        assert isinstance(model, Papay)
        tr = t_k / model.t_pc_k
        a = 3.52 * 10.0 ** (-0.9813 * tr)
        b = 0.274 * 10.0 ** (-0.8157 * tr)
        pr = p / model.p_pc_pa
        return 1.0 - a * pr + b * pr * pr

    def series(self, p_pa: F64) -> F64:
        """The NLP's Z without offset, in numpy."""
        if not self.tabulated:
            return self.zfast.value(np.asarray(p_pa, dtype=float))
        return np.asarray(np.polynomial.chebyshev.chebval(self._x(np.asarray(p_pa, dtype=float)), self.coef))

    def offset(self, p_pa: F64) -> F64:
        """The simulator's Z minus the NLP's series at ``p_pa`` (0 for closed-form models)."""
        if not self.tabulated or np.size(p_pa) == 0:
            return np.zeros(np.shape(p_pa))
        p = np.asarray(p_pa, dtype=float)
        return np.asarray(self.zfast.value(p.ravel()).reshape(p.shape) - self.series(p), dtype=float)
