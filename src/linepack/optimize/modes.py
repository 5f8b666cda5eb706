"""Discrete operating modes the optimiser may choose: valves open or closed, control valves and compressor
stations active, bypassed or closed, within the combined decisions of a GasLib .cdf.

A :class:`ModeSpace` names the elements whose mode is free and the groups of combined decisions that tie
some of them together (exactly one decision of a group is taken; the elements it lists take the states it
gives). :func:`mode_space` builds it for a compiled network (every valve, control valve and station free),
:func:`gaslib_mode_space` adds the .cdf groups of a GasLib case, and :func:`with_modes` writes a choice into
a copy of a :class:`~linepack.model.network.Network` (valve ``open``, regulator and compressor ``mode``), which
the exact NLP then solves with its continuous settings free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..compile import CompiledNetwork, CompMode, EdgeKind, RegMode
from ..model.components import Compressor, CompressorMode, Regulator, RegulatorMode, Valve
from ..model.network import Network

VALVE_STATES = ("open", "closed")
ACTIVE_STATES = ("active", "bypass", "closed")  # control valves and compressor stations


@dataclass(frozen=True)
class ModeGroup:
    """Combined decisions: ``options`` are (id, {edge index: allowed states}); exactly one option is taken."""

    id: str
    options: tuple[tuple[str, Mapping[int, tuple[str, ...]]], ...]


@dataclass(frozen=True)
class ModeSpace:
    """Edges (indices into the compiled network) whose mode the optimiser chooses, and the decision groups."""

    valves: tuple[int, ...]
    regulators: tuple[int, ...]  # edge indices of control valves
    compressors: tuple[int, ...]  # edge indices of compressor stations
    groups: tuple[ModeGroup, ...] = ()

    @property
    def size(self) -> int:
        return len(self.valves) + len(self.regulators) + len(self.compressors)


def mode_space(cn: CompiledNetwork) -> ModeSpace:
    """Every valve, control valve and compressor station of ``cn`` free (those in user modes that can act:
    a control valve in pressure or flow control, a station in one of its controlled modes)."""
    valves = tuple(int(e) for e in range(cn.n_edges) if cn.edge_kind[e] == EdgeKind.VALVE)
    regs = tuple(int(cn.reg_edge[k]) for k in range(len(cn.reg_edge)) if cn.reg_mode[k] in (RegMode.PRESSURE,))
    comps = tuple(
        int(cn.comp_edge[k])
        for k in range(len(cn.comp_edge))
        if cn.comp_mode[k] in (CompMode.PRESSURE, CompMode.RATIO, CompMode.POWER, CompMode.SUCTION, CompMode.FLOW)
    )
    return ModeSpace(valves, regs, comps)


def gaslib_mode_space(cn: CompiledNetwork, case: object) -> ModeSpace:
    """:func:`mode_space` with the combined decisions of a GasLib case's .cdf (``case.decision_groups``).

    A decision's element with value 0 is closed; value 1 is open (valves), bypass (mode bypass, or a control
    valve or station opened against its direction: GasLib's flowDirection 1) or active (mode active); value 1
    with no mode lets a station or control valve be active or bypassed."""
    base = mode_space(cn)
    pos = {eid: i for i, eid in enumerate(cn.edge_ids)}
    groups = []
    for g in getattr(case, "decision_groups", ()):
        options = []
        for d in g.decisions:
            states: dict[int, tuple[str, ...]] = {}
            for ed in d.elements:
                e = pos.get(ed.id)
                if e is None:
                    continue  # an element the network lacks (a warning when read)
                if ed.kind == "valve":
                    states[e] = ("open",) if ed.value == 1 else ("closed",)
                elif ed.value == 0:
                    states[e] = ("closed",)
                elif ed.mode == "bypass" or ed.flow_direction == 1:
                    states[e] = ("bypass",)
                elif ed.mode == "active":
                    states[e] = ("active",)
                else:
                    states[e] = ("active", "bypass")
            options.append((f"{g.id}/{d.id}", states))
        groups.append(ModeGroup(g.id, tuple(options)))
    return ModeSpace(base.valves, base.regulators, base.compressors, tuple(groups))


def with_modes(network: Network, cn: CompiledNetwork, states: Mapping[int, str]) -> Network:
    """A copy of ``network`` with each edge of ``states`` (edge index of ``cn``: state) in that mode: valves
    open or closed; control valves in control (``pressure``, free in the nomination NLP), ``open`` or ``closed``;
    stations running (their user mode, free in the NLP), ``bypass`` or ``off``."""
    out = network.copy()
    for e, state in states.items():
        comp = out.find(cn.edge_ids[e])
        if isinstance(comp, Valve):
            out.replace(comp.model_copy(update={"open": state == "open"}))
        elif isinstance(comp, Regulator):
            mode = {"active": comp.mode, "bypass": RegulatorMode.OPEN, "closed": RegulatorMode.CLOSED}[state]
            out.replace(Regulator.model_validate({**comp.model_dump(by_alias=True), "mode": mode}))
        elif isinstance(comp, Compressor):
            cmode = {"active": comp.mode, "bypass": CompressorMode.BYPASS, "closed": CompressorMode.OFF}[state]
            out.replace(Compressor.model_validate({**comp.model_dump(by_alias=True), "mode": cmode}))
    return out
