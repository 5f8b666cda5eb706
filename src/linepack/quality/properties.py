"""The one property layer: the gas the hydraulics see in every pipe, compressor and node.

:class:`GasProps` holds, for one state of the network's gas (a composition per node and per edge), the
properties the equations need: molar mass per resistive edge and per node, Z(p) and dZ/dp evaluators for
the pipes' mean pressures, the compressors' suction pressures and the nodes' pressures, the isentropic
exponent and the fuel's net calorific value per compressor, and the viscosity per pipe. The steady solver,
the transient and the optimiser's cross-check all take it.

* :meth:`GasProps.uniform` is the network gas everywhere: molar mass and the compressibility and viscosity
  models of :class:`linepack.compile.GasModel`, evaluated exactly as before gas quality was tracked, so a
  single-gas network gives bit-for-bit the results it always gave.
* :meth:`GasProps.mixed` takes the gas mass fractions of every node and edge (see
  :mod:`linepack.quality.mixing`) and evaluates each mixture: molar mass exactly; Z through
  :class:`linepack.gas.mixture_z.MixtureZ` (GERG-2008 / AGA8 DETAIL surrogate with a measured error bound),
  through Kay's rule for Papay, unchanged for the composition-free models; the Lee-Gonzalez-Eakin
  viscosity with each pipe's molar mass; kappa from the mixture's ideal-gas heat capacity; the fuel's net
  calorific value of each suction gas (ISO 6976).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..gas.aga8 import Aga8Detail, Gerg2008
from ..gas.compressibility import Papay
from ..gas.gas_set import GasSet
from ..gas.ideal_gas import R_GERG, ideal_cp_j_per_mol_k
from ..gas.iso6976 import mass_heating_value_j_per_kg, pseudo_critical
from ..gas.mixture_z import CollapsedZ, MixtureZ, mixture_z
from ..gas.viscosity import R_MOLAR, LeeGonzalezEakin

if TYPE_CHECKING:
    from ..compile import CompiledNetwork

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
ZFunction = Callable[[F64], tuple[F64, F64]]

#: Pressure range of the mixture tables [Pa]: 1 bar up to 150 bar, or 1.3 times the highest set-point or limit.
P_TABLE_MIN_PA = 1.0e5
P_TABLE_MAX_PA = 1.5e7


def table_range(cn: CompiledNetwork) -> tuple[float, float]:
    """Absolute-pressure range [Pa] of the mixture tables for a network (covers every set-point and limit)."""
    vals = np.concatenate(
        [cn.source_p_set_pa, cn.source_p_max_pa, cn.comp_p_set_pa, cn.reg_p_set_pa, cn.p_max_pa, cn.maop_pa]
    )
    vals = vals[np.isfinite(vals)]
    hi = max(P_TABLE_MAX_PA, 1.3 * float(np.max(vals, initial=0.0)))
    hi = float(np.ceil(hi / 1e6) * 1e6)  # whole 10 bar, so that similar networks share a cached table
    return P_TABLE_MIN_PA, min(hi, 7.0e7)


def lge_viscosity(p_pa: F64, t_k: float, z: F64, molar_mass_kg_per_mol: F64) -> F64:
    """Lee-Gonzalez-Eakin viscosity [Pa s] with a molar mass per point (the formula of
    :class:`linepack.gas.viscosity.LeeGonzalezEakin`, vectorised over the molar mass)."""
    m_g = np.asarray(molar_mass_kg_per_mol) * 1e3
    rho_g_cm3 = p_pa * np.asarray(molar_mass_kg_per_mol) / (z * R_MOLAR * t_k) * 1e-3
    t_r = 1.8 * t_k
    k = (9.4 + 0.02 * m_g) * t_r**1.5 / (209.0 + 19.0 * m_g + t_r)
    x = 3.5 + 986.0 / t_r + 0.01 * m_g
    y = 2.4 - 0.2 * x
    return np.asarray(1e-7 * k * np.exp(x * rho_g_cm3**y))


@dataclass(frozen=True)
class RowsZ:
    """Z evaluator of one group of points (pipes, compressors or nodes) over a shared set of mixture rows."""

    table: Any  # CollapsedZ, _PapayRows or _Independent
    rows: I64

    def __call__(self, p_pa: F64) -> tuple[F64, F64]:
        z, dz = self.table.evaluate(self.rows, np.asarray(p_pa, dtype=float))
        return np.asarray(z), np.asarray(dz)


@dataclass(frozen=True)
class _PapayRows:
    t_k: float
    t_pc: F64
    p_pc: F64

    def evaluate(self, rows: I64, p_pa: F64, need_derivative: bool = True) -> tuple[F64, F64]:
        pr = p_pa / self.p_pc[rows]
        tr = self.t_k / self.t_pc[rows]
        a = 3.52 * 10.0 ** (-0.9813 * tr)
        b = 0.274 * 10.0 ** (-0.8157 * tr)
        return 1.0 - a * pr + b * pr**2, (-a + 2.0 * b * pr) / self.p_pc[rows]


@dataclass(frozen=True)
class _Independent:
    model: Any
    t_k: float

    def evaluate(self, rows: I64, p_pa: F64, need_derivative: bool = True) -> tuple[F64, F64]:
        z, dz = self.model.z_and_dz_dp(p_pa, self.t_k)
        return np.asarray(z, dtype=float), np.asarray(dz, dtype=float)


@dataclass(frozen=True)
class GasProps:
    """Gas properties of one compiled network for one state of its gas (see the module docstring).

    Arrays: ``res_molar_mass`` per resistive edge (pipes then resistors), ``comp_*`` per compressor,
    ``node_molar_mass`` per node. ``z_res``, ``z_comp``, ``z_node`` map pressures [Pa] of those points to Z [-]
    and dZ/dp [1/Pa]. ``mixture`` is the gas state it was built from (None for the uniform network gas).
    """

    temperature_k: float
    res_molar_mass: F64
    comp_molar_mass: F64
    comp_kappa: F64
    comp_fuel_lhv_j_per_kg: F64
    node_molar_mass: F64
    z_res: ZFunction
    z_comp: ZFunction
    z_node: ZFunction
    viscosity_model: Any
    mixture: Any = None  # the gas state it was built from (quality.coupling.GasState), when known
    uniform: bool = False  # True: the network gas everywhere (the single-gas path)
    # per resistive edge [K] in a non-isothermal solve (CompiledNetwork.res_temperature_k); None: temperature_k
    res_temperature_k: F64 | None = None

    def viscosity_res(self, p_mean_pa: F64) -> F64:
        """Dynamic viscosity [Pa s] of every resistive edge's gas at its mean pressure."""
        z, _ = self.z_res(p_mean_pa)
        t: Any = self.temperature_k if self.res_temperature_k is None else self.res_temperature_k
        if self.uniform or not isinstance(self.viscosity_model, LeeGonzalezEakin):
            return np.asarray(self.viscosity_model.mu(p_mean_pa, t, z), dtype=float)
        return lge_viscosity(p_mean_pa, t, z, self.res_molar_mass)

    @staticmethod
    def uniform_of(cn: CompiledNetwork) -> GasProps:
        """The network gas everywhere (the single-gas hydraulics, unchanged)."""
        from ..compile import z_at, z_res_at

        gas = cn.gas

        def z(p: F64) -> tuple[F64, F64]:
            return z_at(cn, p)

        def z_res(p: F64) -> tuple[F64, F64]:
            return z_res_at(cn, p)

        nc = len(cn.comp_edge)
        kappa = gas.kappa if gas.kappa is not None else 1.3
        lhv = gas.lhv_j_per_kg or np.inf
        return GasProps(
            temperature_k=gas.temperature_k,
            res_molar_mass=np.full(len(cn.res_edge), gas.molar_mass_kg_per_mol),
            comp_molar_mass=np.full(nc, gas.molar_mass_kg_per_mol),
            comp_kappa=np.full(nc, kappa),
            comp_fuel_lhv_j_per_kg=np.full(nc, lhv),
            node_molar_mass=np.full(cn.n_nodes, gas.molar_mass_kg_per_mol),
            z_res=z if cn.res_temperature_k is None else z_res,
            z_comp=z,
            z_node=z,
            viscosity_model=gas.viscosity,
            uniform=True,
            res_temperature_k=cn.res_temperature_k,
        )

    @staticmethod
    def mixed(
        cn: CompiledNetwork,
        w_node: F64,
        w_edge: F64,
        mixture: Any = None,
        z: tuple[ZFunction, ZFunction, ZFunction] | None = None,
    ) -> GasProps:
        """Properties of the mixtures ``w_node`` (n_nodes, K) and ``w_edge`` (n_edges, K) (gas mole fractions).

        ``z`` gives the Z evaluators of the resistive edges, compressors and nodes when the caller keeps its own
        (the transient's cached ones); by default they are built here: one mixture row per node, plus one per
        edge whose gas is neither end's (a blend near zero flow)."""
        q = cn.quality
        assert q is not None
        gs = q.gas_set
        gas = cn.gas
        t = gas.temperature_k
        w_res = w_edge[cn.res_edge]
        w_comp = w_node[cn.edge_from[cn.comp_edge]]  # a compressor takes in (and burns) its suction node's gas
        if z is None:
            w_rows, rows_res, rows_node = mixture_rows(cn, w_node, w_edge)
            table = _z_rows(cn, gs, w_rows)
            rows_comp = rows_node[cn.edge_from[cn.comp_edge]]
            z = (RowsZ(table, rows_res), RowsZ(table, rows_comp), RowsZ(table, rows_node))
        return GasProps(
            temperature_k=t,
            res_molar_mass=gs.molar_mass(w_res),
            comp_molar_mass=gs.molar_mass(w_comp),
            comp_kappa=compressor_kappa(cn, gs, w_comp),
            comp_fuel_lhv_j_per_kg=fuel_lhv(cn, gs, w_comp),
            node_molar_mass=gs.molar_mass(w_node),
            z_res=z[0],
            z_comp=z[1],
            z_node=z[2],
            viscosity_model=gas.viscosity,
            mixture=mixture,
        )


def mixture_rows(cn: CompiledNetwork, w_node: F64, w_edge: F64) -> tuple[F64, I64, I64]:
    """Distinct mixtures to evaluate and who uses which: the nodes' gases, then the gases of the resistive edges
    that carry neither end's gas exactly; returns (mixtures, row of every resistive edge, row of every node)."""
    e = cn.res_edge
    ef, et = cn.edge_from[e], cn.edge_to[e]
    w_res = w_edge[e]
    at_from = np.all(w_res == w_node[ef], axis=1)
    at_to = ~at_from & np.all(w_res == w_node[et], axis=1)
    own = ~at_from & ~at_to
    n = cn.n_nodes
    rows_res = np.where(at_from, ef, et).astype(np.int64)
    rows_res[own] = n + np.arange(int(np.count_nonzero(own)))
    return np.concatenate([w_node, w_res[own]]), rows_res, np.arange(n, dtype=np.int64)


def compressor_kappa(cn: CompiledNetwork, gs: GasSet, w_comp: F64) -> F64:
    """Isentropic exponent of every compressor's suction gas: the settings' value, else the ideal-gas
    cp0/(cp0 - R) of the mixture (cp0 mixes linearly in mole fractions; GERG-2008 ideal part)."""
    gas = cn.gas
    if _kappa_overridden(cn):
        return np.full(len(w_comp), gas.kappa)
    cp = w_comp @ _cp0_of(tuple(g.fractions_tuple for g in gs.gases), gas.temperature_k)
    return np.asarray(cp / (cp - R_GERG), dtype=float)


@lru_cache(maxsize=64)
def _cp0_of(gases: tuple[tuple[float, ...], ...], t_k: float) -> F64:
    """Ideal-gas cp0 [J/(mol K)] of each gas at ``t_k`` (cached: the same few gases at one temperature)."""
    out = np.array([float(ideal_cp_j_per_mol_k(g, t_k)) for g in gases])
    out.flags.writeable = False
    return out


def fuel_lhv(cn: CompiledNetwork, gs: GasSet, w_comp: F64) -> F64:
    """Net calorific value [J/kg] of every compressor's fuel (its suction gas; ISO 6976 at 25 C), or the settings'
    override."""
    if _lhv_overridden(cn):
        return np.full(len(w_comp), cn.gas.lhv_j_per_kg or np.inf)
    if len(w_comp) == 0:
        return np.zeros(0)
    return np.asarray(mass_heating_value_j_per_kg(gs.components(w_comp), 298.15, False), dtype=float)


def _kappa_overridden(cn: CompiledNetwork) -> bool:
    return bool(getattr(cn.gas, "kappa_given", False))


def _lhv_overridden(cn: CompiledNetwork) -> bool:
    return bool(getattr(cn.gas, "lhv_given", False))


def mixture_model(cn: CompiledNetwork) -> MixtureZ | None:
    """The mixture-Z surrogate of a network (None when its compressibility model is not GERG-2008 / AGA8 DETAIL)."""
    q = cn.quality
    model = cn.gas.compressibility
    if q is None or not isinstance(model, Gerg2008 | Aga8Detail):
        return None
    lo, hi = table_range(cn)
    return mixture_z(q.gas_set, cn.gas.temperature_k, model.method, p_min_pa=lo, p_max_pa=hi)


def _z_rows(cn: CompiledNetwork, gs: GasSet, w: F64) -> CollapsedZ | _PapayRows | _Independent:
    model = cn.gas.compressibility
    if isinstance(model, Gerg2008 | Aga8Detail):
        mz = mixture_model(cn)
        assert mz is not None
        return mz.collapse(w)
    if isinstance(model, Papay):
        t_pc, p_pc = pseudo_critical(gs.components(w))
        return _PapayRows(cn.gas.temperature_k, np.asarray(t_pc), np.asarray(p_pc))
    return _Independent(model, cn.gas.temperature_k)
