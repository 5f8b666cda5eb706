"""The boundary values an estimator treats as unknown, and where they enter the solver's equations.

The network equations (pipe laws, node balances, storage) are held exactly; what sets the state from
outside is free: the demand of every sink, the inflow of every flow-controlled source, the pressure of
every pressure-held source and the target of every controlled compressor and regulator (discharge
pressure, ratio, power or flow, in the mode the element is in). The meters decide their values. One
parameter per element keeps the state a smooth function of the parameters (the solver's own map), and
no control limit is imposed: an estimate beyond a limit is reported as what the meters say.

The derivative of the solver's residual with respect to each parameter is one entry (-1, +1 or the
suction pressure for a ratio), so the sensitivity of the state is ``dx/dtheta = -J^-1 dF/dtheta`` with
the solver's own Jacobian J.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..compile import CompiledNetwork, CompMode, RegMode
from ..solvers.equations import ControlState, SteadySystem
from ..units import BAR_PA

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


class ParamKind(IntEnum):
    DEMAND = 0  # sink demand [kg/s]
    INFLOW = 1  # flow-controlled source inflow [kg/s]
    SOURCE_PRESSURE = 2  # pressure-held source pressure [Pa]
    COMP_TARGET = 3  # compressor target in its mode [Pa, -, W or kg/s]
    REG_TARGET = 4  # regulator target [Pa or kg/s]


_COMP_WHAT = {
    CompMode.PRESSURE: ("discharge pressure", "Pa"),
    CompMode.SUCTION: ("suction pressure", "Pa"),
    CompMode.RATIO: ("pressure ratio", "-"),
    CompMode.POWER: ("power", "W"),
    CompMode.FLOW: ("flow", "kg/s"),
}


@dataclass(frozen=True)
class BoundaryParameters:
    """Parameters ``theta`` of one compiled network in one control state (``element`` indexes the sinks,
    sources, compressors or regulators by ``kind``)."""

    kind: I64
    element: I64
    names: tuple[str, ...]
    units: tuple[str, ...]
    scale: F64  # typical size, for conditioning

    @property
    def n(self) -> int:
        return len(self.kind)

    @staticmethod
    def of(cn: CompiledNetwork, state: ControlState, m_ref: float) -> BoundaryParameters:
        kind: list[int] = []
        elem: list[int] = []
        names: list[str] = []
        units: list[str] = []
        scale: list[float] = []
        sink_scale = max(m_ref / max(len(cn.sink_ids), 1), 1e-3)
        for k, sid in enumerate(cn.sink_ids):
            kind.append(ParamKind.DEMAND)
            elem.append(k)
            names.append(f"{sid} demand")
            units.append("kg/s")
            scale.append(max(abs(float(cn.sink_demand[k])), sink_scale))
        for k, sid in enumerate(cn.source_ids):
            elem.append(k)
            if state.src_pressure[k]:
                kind.append(ParamKind.SOURCE_PRESSURE)
                names.append(f"{sid} pressure")
                units.append("Pa")
                scale.append(10.0 * BAR_PA)
            else:
                kind.append(ParamKind.INFLOW)
                names.append(f"{sid} inflow")
                units.append("kg/s")
                scale.append(max(abs(float(state.src_inflow[k])), sink_scale))
        for c, e in enumerate(cn.comp_edge):
            mode = CompMode(int(state.comp_mode[c]))
            if mode not in _COMP_WHAT:
                continue
            what, unit = _COMP_WHAT[mode]
            kind.append(ParamKind.COMP_TARGET)
            elem.append(c)
            names.append(f"{cn.edge_ids[e]} {what}")
            units.append(unit)
            pressure = {CompMode.PRESSURE: 10.0 * BAR_PA, CompMode.SUCTION: 10.0 * BAR_PA}
            scale.append({**pressure, CompMode.RATIO: 0.1, CompMode.POWER: 1e6}.get(mode, m_ref))
        for r, e in enumerate(cn.reg_edge):
            rmode = RegMode(int(state.reg_mode[r]))
            if rmode not in (RegMode.PRESSURE, RegMode.FLOW):
                continue
            kind.append(ParamKind.REG_TARGET)
            elem.append(r)
            names.append(f"{cn.edge_ids[e]} {'outlet pressure' if rmode == RegMode.PRESSURE else 'flow'}")
            units.append("Pa" if rmode == RegMode.PRESSURE else "kg/s")
            scale.append(10.0 * BAR_PA if rmode == RegMode.PRESSURE else m_ref)
        return BoundaryParameters(
            np.array(kind, dtype=np.int64), np.array(elem, dtype=np.int64), tuple(names), tuple(units),
            np.array(scale, dtype=float),
        )

    def values(self, state: ControlState, demand_kg_s: F64) -> F64:
        """``theta`` of a control state and sink demands."""
        theta = np.empty(self.n)
        for code, arr in self._sources(state, demand_kg_s).items():
            sel = self.kind == code
            theta[sel] = arr[self.element[sel]]
        return theta

    @staticmethod
    def _sources(state: ControlState, demand: F64) -> dict[int, F64]:
        return {
            ParamKind.DEMAND: demand,
            ParamKind.INFLOW: state.src_inflow,
            ParamKind.SOURCE_PRESSURE: state.src_p_target,
            ParamKind.COMP_TARGET: state.comp_target,
            ParamKind.REG_TARGET: state.reg_target,
        }

    def apply(self, theta: F64, state: ControlState, demand_kg_s: F64) -> tuple[ControlState, F64]:
        """The control state and sink demands with the values ``theta``."""
        demand = np.array(demand_kg_s, dtype=float)
        inflow, ptarget = state.src_inflow.copy(), state.src_p_target.copy()
        ctarget, rtarget = state.comp_target.copy(), state.reg_target.copy()
        for code, arr in ((ParamKind.DEMAND, demand), (ParamKind.INFLOW, inflow), (ParamKind.SOURCE_PRESSURE, ptarget),
                          (ParamKind.COMP_TARGET, ctarget), (ParamKind.REG_TARGET, rtarget)):
            sel = self.kind == code
            arr[self.element[sel]] = theta[sel]
        return state.with_(src_inflow=inflow, src_p_target=ptarget, comp_target=ctarget, reg_target=rtarget), demand

    def residual_derivative(self, sys: SteadySystem, p_pa: F64) -> sp.csc_matrix:
        """dF/dtheta of the (unscaled) residual of ``sys`` at the pressures ``p_pa`` (size x n, sparse)."""
        cn = sys.cn
        n, m = sys.n, sys.m
        rows = np.empty(self.n, dtype=np.int64)
        vals = -np.ones(self.n)
        el = self.element
        sel = self.kind == ParamKind.DEMAND
        rows[sel] = cn.sink_node[el[sel]]
        sel = self.kind == ParamKind.INFLOW
        rows[sel] = cn.source_node[el[sel]]
        vals[sel] = 1.0
        sel = self.kind == ParamKind.SOURCE_PRESSURE
        if np.any(sel):
            pos = np.full(len(cn.source_ids), -1, dtype=np.int64)
            pos[sys.psrc] = np.arange(len(sys.psrc))
            rows[sel] = n + m + pos[el[sel]]
        sel = self.kind == ParamKind.COMP_TARGET
        ce = cn.comp_edge[el[sel]]
        rows[sel] = n + ce
        ratio = sys.state.comp_mode[el[sel]] == CompMode.RATIO
        v = vals[sel]
        v[ratio] = -p_pa[cn.edge_from[ce[ratio]]]
        vals[sel] = v
        sel = self.kind == ParamKind.REG_TARGET
        rows[sel] = n + cn.reg_edge[el[sel]]
        return sp.csc_matrix((vals, (rows, np.arange(self.n))), shape=(sys.size, self.n))

    def describe(self, i: int, value: float) -> str:
        """``name = value unit`` with pressures in bar and powers in MW."""
        u = self.units[i]
        if u == "Pa":
            return f"{self.names[i]} {value / BAR_PA:.3f} bar"
        if u == "W":
            return f"{self.names[i]} {value / 1e6:.3f} MW"
        return f"{self.names[i]} {value:.4g} {u}"
