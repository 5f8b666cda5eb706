"""Compiled per-step kernels of the transient residual (numba, optional extra ``kernel``), with the numpy
path of :mod:`.equations` as the reference and fallback.

The residual of an implicit step is evaluated 3-4 times per step; in numpy each evaluation is some forty
calls over arrays of a few thousand segments, so per-call overhead, not arithmetic, sets its cost. The kernels
here do the same arithmetic, in the same order, in one pass over the segments:

* :func:`segment_law` -- the value of every segment law (:meth:`TransientSystem._segment_law_value`):
  ``p_i^2 - e^s p_j^2 - Z k1 phi(q) - r q - (p_i + p_j) (L/A) (q - q_old)/dt`` with Z from the cubic
  Hermite table at the mean pressure, ``s = a_h / Z`` and the laminar-linear form below ``q_laminar``;
* :func:`storage` -- ``V (rho(p) - rho_old) / dt`` at every point, with ``rho = c p / Z(p)``.

Properties enter per segment (``k1``, ``a_h``, read from the system at every call). Z comes either from the
network gas's cubic Hermite table (one gas) or, when the gases mix, from the property layer's quadratic Taylor
expansions per segment and per point (:class:`linepack.gas.mixture_z.LocalZ`): a member farther than its step
from its centre makes the kernel report it, the caller re-centres it exactly as ``LocalZ`` does and calls again.

The Z look-ups are written out inside the loops: calling a separately jitted helper per segment made the
segment law five times slower (1.9 ms against 0.37 ms on 6,127 segments, measured).

numba is chosen over a C extension because it needs no compiler at install time and keeps the kernels in
Python next to the numpy reference they must match (tests/transient/test_kernel.py); compiled code is cached
on disk (``cache=True``), so only the first run on a machine pays the compilation (about 2 s).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..gas.mixture_z import LocalZ

F64 = NDArray[np.float64]
ENV = "LINEPACK_KERNEL"  # "numpy" forces the numpy path; "auto" (default): numba when installed
_compiled: dict[str, Any] = {}


def _segment_law_py(
    p: F64,
    q: F64,
    ef: NDArray[np.int64],
    et: NDArray[np.int64],
    l_over_d: F64,
    length: F64,
    zeta: F64,
    k1: F64,
    a_h: F64,
    lam: F64,
    q_laminar: F64,
    k_lin: F64,
    laminar_ok: NDArray[np.bool_],
    resistor_lin: F64,
    inertia_dt: F64,
    q_old: F64,
    z_row: NDArray[np.int64],
    zc0: F64,
    zc1: F64,
    zc2: F64,
    zc3: F64,
    z_pmin: F64,
    z_inv_h: F64,
    z_pmax: F64,
    z_nint: NDArray[np.int64],
    local: bool,
    lz_pc: F64,
    lz_z0: F64,
    lz_z1: F64,
    lz_z2: F64,
    lz_step: float,
    pm_out: F64,
    out: F64,
) -> bool:
    """Segment laws into ``out`` and the mean pressures into ``pm_out``; False when a mean pressure leaves its Z
    table (the caller falls back to the numpy path), or (``local``) is farther than ``lz_step`` from its Taylor
    centre (every mean pressure is still written: the caller re-centres those members and calls again)."""
    n = len(q)
    ok = True
    for k in range(n):
        pi = p[ef[k]]
        pj = p[et[k]]
        qk = q[k]
        psum = pi + pj
        if psum >= 1.0:
            pm = (2.0 / 3.0) * (psum - pi * pj / psum)
        else:
            den = psum if abs(psum) >= 1.0 else 1.0
            pm = (2.0 / 3.0) * (psum - pi * pj / den)
        pm_out[k] = pm
        if local:  # LocalZ: its quadratic Taylor expansion (the same operations as LocalZ.__call__)
            dz = pm - lz_pc[k]
            if not abs(dz) <= lz_step:  # beyond the step (or no centre): the others' mean pressures are still needed
                ok = False
                continue
            tz = lz_z2[k] * dz
            z = lz_z0[k] + dz * (lz_z1[k] + 0.5 * tz)
        else:  # the cubic Hermite table (linepack.gas.ztable.ZTable.evaluate)
            r = z_row[k]
            if not (pm >= z_pmin[r] and pm <= z_pmax[r]):
                return False
            u = (pm - z_pmin[r]) * z_inv_h[r]
            i = int(u)
            if i > z_nint[r] - 1:
                i = z_nint[r] - 1
            if i < 0:
                i = 0
            t = u - i
            z = ((zc3[r, i] * t + zc2[r, i]) * t + zc1[r, i]) * t + zc0[r, i]
        s = a_h[k] / z
        em1 = math.expm1(s)
        e = em1 + 1.0
        g = 1.0 + s / 2.0 + s * s / 6.0 if abs(s) < 1e-5 else em1 / s  # (e^s - 1)/s, series near 0
        aq = abs(qk)
        lin = aq < q_laminar[k] and laminar_ok[k]
        lk = 0.0 if lin else lam[k]
        phi = (lk * l_over_d[k] * g + zeta[k]) * qk * aq
        if lin:
            phi += k_lin[k] * qk * (length[k] * g)
        f = pi * pi - e * pj * pj - z * k1[k] * phi
        f = f - resistor_lin[k] * qk
        f = f - psum * inertia_dt[k] * (qk - q_old[k])
        out[k] = f
    return ok


def _storage_py(
    p: F64,
    volume: F64,
    rho_old: F64,
    c: F64,
    dt: float,
    z_row: NDArray[np.int64],
    zc0: F64,
    zc1: F64,
    zc2: F64,
    zc3: F64,
    z_pmin: F64,
    z_inv_h: F64,
    z_pmax: F64,
    z_nint: NDArray[np.int64],
    local: bool,
    lz_pc: F64,
    lz_z0: F64,
    lz_z1: F64,
    lz_z2: F64,
    lz_step: float,
    out: F64,
) -> bool:
    """``V (c p / Z(p) - rho_old) / dt`` into ``out`` (``c`` = M / (R T) per point); False when a pressure leaves
    its Z table or its Taylor step."""
    for k in range(len(p)):
        pk = p[k]
        if local:
            dz = pk - lz_pc[k]
            if not abs(dz) <= lz_step:
                return False
            tz = lz_z2[k] * dz
            z = lz_z0[k] + dz * (lz_z1[k] + 0.5 * tz)
        else:
            r = z_row[k]
            if not (pk >= z_pmin[r] and pk <= z_pmax[r]):
                return False
            u = (pk - z_pmin[r]) * z_inv_h[r]
            i = int(u)
            if i > z_nint[r] - 1:
                i = z_nint[r] - 1
            if i < 0:
                i = 0
            t = u - i
            z = ((zc3[r, i] * t + zc2[r, i]) * t + zc1[r, i]) * t + zc0[r, i]
        rho = c[k] * pk / z
        out[k] = volume[k] * (rho - rho_old[k]) / dt
    return True


def compiled(name: str) -> Callable[..., bool] | None:
    """The numba-compiled kernel ``name`` (``segment_law`` or ``storage``), or None when numba is not installed
    or ``LINEPACK_KERNEL=numpy``."""
    if os.environ.get(ENV, "auto").strip().lower() == "numpy":
        return None
    if name not in _compiled:
        try:
            import numba
        except ImportError:
            _compiled[name] = None
        else:
            py = {"segment_law": _segment_law_py, "storage": _storage_py}[name]
            _compiled[name] = numba.njit(cache=True, nogil=True)(py)
    return _compiled[name]


class ZTables:
    """The Z tables of a network stacked row by row (one row per gas and temperature; one row today)."""

    def __init__(self, tables: list[Any]) -> None:
        width = max((t.n_intervals for t in tables), default=1)
        self.c = [np.zeros((len(tables), width)) for _ in range(4)]
        for r, t in enumerate(tables):
            for j, arr in enumerate((t._c0, t._c1, t._c2, t._c3)):
                self.c[j][r, : t.n_intervals] = arr
        self.p_min = np.array([t.p_min_pa for t in tables], dtype=float)
        self.p_max = np.array([t.p_max_pa for t in tables], dtype=float)
        self.inv_h = np.array([1.0 / t.step_pa for t in tables], dtype=float)
        self.n_int = np.array([t.n_intervals for t in tables], dtype=np.int64)

    def args(self) -> tuple[F64, F64, F64, F64, F64, F64, F64, NDArray[np.int64]]:
        return (*self.c, self.p_min, self.inv_h, self.p_max, self.n_int)  # type: ignore[return-value]


class StepKernel:
    """The compiled kernels bound to the arrays of one :class:`~linepack.transient.equations.TransientSystem`
    (built when the system is; None from :meth:`make` when numba is missing, or the network gas has no Z table).

    Z comes from the network gas's table (one gas) or, when the gases mix, from the Taylor expansions
    (:class:`~linepack.gas.mixture_z.LocalZ`) of the property layer the system carries at the call (its ``z_res``
    for the segments, ``z_node`` for the points): what the numpy path evaluates, read at every call, so a new
    state of the gas (:meth:`TransientSystem.set_gas`) needs nothing here. A member beyond its Taylor step makes
    the kernel decline; the numpy path then re-centres it."""

    def __init__(self, law: Callable[..., bool], store: Callable[..., bool], sys: Any, tables: ZTables) -> None:
        cn = sys.cn
        n_res = len(cn.res_edge)
        self.sys = sys
        self.law, self.store = law, store
        self.tables = tables.args()
        self.z_row_seg = np.zeros(n_res, dtype=np.int64)
        self.z_row_pt = np.zeros(sys.n, dtype=np.int64)
        self.ef = np.ascontiguousarray(sys._ef_res, dtype=np.int64)
        self.et = np.ascontiguousarray(sys._et_res, dtype=np.int64)
        self.l_over_d = np.ascontiguousarray(sys._L_over_D, dtype=float)
        self.length = np.ascontiguousarray(cn.length_m, dtype=float)
        self.zeta = np.ascontiguousarray(cn.zeta, dtype=float)
        self.q_laminar = np.ascontiguousarray(sys._q_laminar, dtype=float)
        self.k_lin = np.ascontiguousarray(sys._k_lin, dtype=float)
        self.laminar_ok = np.ascontiguousarray(sys._is_pipe_res, dtype=np.bool_)
        self.resistor_lin = np.ascontiguousarray(sys.resistor_lin, dtype=float)
        self.zero = np.zeros(n_res)
        self.none = np.zeros(0)
        self._c: tuple[float, F64] | None = None

    @staticmethod
    def make(sys: Any) -> StepKernel | None:
        law, store = compiled("segment_law"), compiled("storage")
        if law is None or store is None:
            return None
        table = network_z_table(sys.cn)
        tables = ZTables([table]) if table is not None else ZTables([])
        return StepKernel(law, store, sys, tables)

    def _z_args(self, which: str) -> tuple[Any, ...] | None:
        """The Z arguments of the kernels: the table's (one gas), or the LocalZ's of ``which`` (``z_res``,
        ``z_node``); None when the system's Z is neither."""
        props = self.sys.props
        if props.uniform:
            if not self.tables[0].shape[0]:
                return None
            return (*self.tables, False, self.none, self.none, self.none, self.none, 0.0)
        lz = getattr(props, which)
        if not isinstance(lz, LocalZ):
            return None
        return (*self.tables, True, lz.pc, lz.z0, lz.z1, lz.z2, lz.step_pa)

    def segment_law(self, p: F64, q: F64, lam: F64, inertia_dt: F64 | None, q_old: F64) -> F64 | None:
        """The segment laws (a new array), or None when a pressure leaves the Z table (or Taylor step)."""
        z = self._z_args("z_res")
        if z is None:
            return None
        sys = self.sys
        out = np.empty(len(q))
        pm = np.empty(len(q))
        args = (
            p, np.ascontiguousarray(q), self.ef, self.et, self.l_over_d, self.length, self.zeta,
            np.ascontiguousarray(sys.k1, dtype=float), np.ascontiguousarray(sys.a_h, dtype=float),
            np.ascontiguousarray(lam), self.q_laminar, self.k_lin, self.laminar_ok, self.resistor_lin,
            self.zero if inertia_dt is None else inertia_dt, np.ascontiguousarray(q_old), self.z_row_seg,
        )  # fmt: skip
        if self.law(*args, *z, pm, out):
            return out
        if not z[len(self.tables)]:
            return None  # outside the table: the numpy path (the model itself)
        # members beyond their Taylor step: re-centred at these mean pressures, as LocalZ itself does
        sys.props.z_res._offset(pm)
        z = self._z_args("z_res")
        return out if z is not None and self.law(*args, *z, pm, out) else None

    def storage(self, p: F64, volume: F64, rho_old: F64, c: float | F64, dt: float) -> F64 | None:
        """``V (c p / Z(p) - rho_old) / dt`` per point (``c`` = M / (R T): one number, or one per point), or None."""
        z = self._z_args("z_node")
        if z is None:
            return None
        if isinstance(c, np.ndarray):
            c_pt = np.ascontiguousarray(c, dtype=float)
        else:
            if self._c is None or self._c[0] != c:
                self._c = (float(c), np.full(len(p), float(c)))
            c_pt = self._c[1]
        out = np.empty(len(p))
        if self.store(p, volume, rho_old, c_pt, dt, self.z_row_pt, *z, out):
            return out
        if not z[len(self.tables)]:
            return None
        self.sys.props.z_node._offset(np.asarray(p, dtype=float))  # re-centred as LocalZ itself does
        z = self._z_args("z_node")
        return out if z is not None and self.store(p, volume, rho_old, c_pt, dt, self.z_row_pt, *z, out) else None


def network_z_table(cn: Any) -> Any:
    """The network gas's cached Z table at its temperature (None when its model has none)."""
    model = cn.gas.compressibility
    return model.table(cn.gas.temperature_k) if hasattr(model, "table") else None
