"""Scenarios: named overlays on a network, applied at compile time.

An overlay never copies the network. It says which statuses are in service, which components to
enable or disable, how to scale demand and fixed supply, which fields to patch, and which components
to add. Overlays compose through ``base``: a scenario inherits everything of its base, then applies
its own changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ConfigDict, Field

from ..errors import InputError
from .components import Status
from .strict import StrictModel


class Scenario(StrictModel):
    """One named overlay as written in a network file."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    description: str = Field(default="", description="what the scenario represents")
    base: str | None = Field(default=None, description="name of the scenario this one builds on")
    statuses: list[Status] | None = Field(
        default=None, description="component statuses in service (null: every status)"
    )
    enable: list[str] = Field(default_factory=list, description="ids put in service whatever their status")
    disable: list[str] = Field(default_factory=list, description="ids taken out of service")
    demand_scale: float = Field(default=1.0, gt=0, le=100, description="multiplier on every demand")
    supply_scale: float = Field(default=1.0, gt=0, le=100, description="multiplier on every fixed inflow")
    set: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="field patches: {component id: {field: value}}"
    )
    add: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, description="components added: {collection: [component, ...]}"
    )


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario with its ``base`` chain flattened."""

    name: str
    description: str = ""
    statuses: frozenset[Status] | None = None
    enabled: frozenset[str] = frozenset()
    disabled: frozenset[str] = frozenset()
    demand_scale: float = 1.0
    supply_scale: float = 1.0
    patches: dict[str, dict[str, Any]] = field(default_factory=dict)
    additions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def in_service(self, component_id: str, status: Status, flag: bool) -> bool:
        """Whether a component with this id, status and in_service flag is part of the scenario."""
        if not flag or component_id in self.disabled:
            return False
        if component_id in self.enabled:
            return True
        return self.statuses is None or status in self.statuses


#: Longest chain of ``base`` scenarios accepted (a scenario and its bases, counted together).
MAX_SCENARIO_DEPTH = 64


def base_chain(scenarios: dict[str, Scenario], name: str) -> list[str]:
    """``name`` and its bases, nearest first; :class:`InputError` for a loop, an unknown base or a chain
    longer than :data:`MAX_SCENARIO_DEPTH`. Linear in the length of the chain."""
    chain: list[str] = []
    seen: set[str] = set()
    cur: str | None = name
    while cur is not None:
        if cur in seen:
            raise InputError(f"scenario '{name}': base chain loops through '{cur}'; remove the cycle")
        if cur not in scenarios:
            raise InputError(f"scenario '{chain[-1]}': base '{cur}' is not defined; name an existing scenario")
        if len(chain) >= MAX_SCENARIO_DEPTH:
            raise InputError(
                f"scenario '{name}': its chain of base scenarios is longer than {MAX_SCENARIO_DEPTH}; "
                "flatten the chain (a scenario can disable, scale and patch as much as several)"
            )
        chain.append(cur)
        seen.add(cur)
        cur = scenarios[cur].base
    return chain


def chain_problems(scenarios: dict[str, Scenario]) -> list[str]:
    """Every loop, unknown base and over-long chain among ``scenarios``, each reported once, in time linear
    in the number of scenarios (each scenario's depth is computed once and reused by the ones built on it)."""
    depth: dict[str, int] = {}
    problems: list[str] = []
    for start in scenarios:
        path: list[str] = []
        on_path: set[str] = set()
        cur: str | None = start
        base_depth = 0
        while cur is not None and cur not in depth:
            if cur in on_path:
                problems.append(f"scenario '{cur}': base chain loops through '{cur}'; remove the cycle")
                base_depth = -1
                break
            if cur not in scenarios:
                problems.append(f"scenario '{path[-1]}': base '{cur}' is not defined; name an existing scenario")
                base_depth = -1
                break
            path.append(cur)
            on_path.add(cur)
            cur = scenarios[cur].base
        if cur is not None and cur in depth:
            base_depth = depth[cur]
        for i, sc_name in enumerate(reversed(path)):
            # -1 marks a chain already reported (a loop or an unknown base below)
            d = -1 if base_depth < 0 else base_depth + i + 1
            depth[sc_name] = d
            if d == MAX_SCENARIO_DEPTH + 1:
                problems.append(
                    f"scenario '{sc_name}': its chain of base scenarios is longer than {MAX_SCENARIO_DEPTH}; "
                    "flatten the chain (a scenario can disable, scale and patch as much as several)"
                )
    return problems


def resolve(scenarios: dict[str, Scenario], name: str | None) -> ResolvedScenario:
    """Flatten scenario ``name`` and its bases; ``None`` gives the plain network (everything in service)."""
    if name is None:
        return ResolvedScenario(name="(as written)")
    if name not in scenarios:
        import difflib

        close = difflib.get_close_matches(name, list(scenarios), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        valid = ", ".join(scenarios) or "none defined"
        raise InputError(f"scenario '{name}' is not defined{hint}; available scenarios: {valid}")
    chain = base_chain(scenarios, name)
    statuses: frozenset[Status] | None = None
    enabled: set[str] = set()
    disabled: set[str] = set()
    demand = supply = 1.0
    patches: dict[str, dict[str, Any]] = {}
    additions: dict[str, list[dict[str, Any]]] = {}
    for sc_name in reversed(chain):
        sc = scenarios[sc_name]
        if sc.statuses is not None:
            statuses = frozenset(sc.statuses)
        enabled |= set(sc.enable)
        disabled -= set(sc.enable)
        disabled |= set(sc.disable)
        enabled -= set(sc.disable)
        demand *= sc.demand_scale
        supply *= sc.supply_scale
        for cid, patch in sc.set.items():
            patches.setdefault(cid, {}).update(patch)
        for coll, items in sc.add.items():
            additions.setdefault(coll, []).extend(items)
    return ResolvedScenario(
        name=name,
        description=scenarios[name].description,
        statuses=statuses,
        enabled=frozenset(enabled),
        disabled=frozenset(disabled),
        demand_scale=demand,
        supply_scale=supply,
        patches=patches,
        additions=additions,
    )


def compose(resolved: ResolvedScenario, overlay: Scenario, name: str) -> ResolvedScenario:
    """``overlay`` applied on top of an already resolved scenario (its ``base`` is ignored).

    The same rules as a ``base`` chain: enable/disable lists override earlier ones, scales multiply,
    patches of the same component merge field by field (the overlay wins), additions accumulate.
    Used by studies to apply one case to a base scenario without touching the network.
    """
    statuses = frozenset(overlay.statuses) if overlay.statuses is not None else resolved.statuses
    enabled = (set(resolved.enabled) | set(overlay.enable)) - set(overlay.disable)
    disabled = (set(resolved.disabled) - set(overlay.enable)) | set(overlay.disable)
    patches = {cid: dict(patch) for cid, patch in resolved.patches.items()}
    for cid, patch in overlay.set.items():
        patches.setdefault(cid, {}).update(patch)
    additions = {coll: list(items) for coll, items in resolved.additions.items()}
    for coll, items in overlay.add.items():
        additions.setdefault(coll, []).extend(items)
    return ResolvedScenario(
        name=name,
        description=overlay.description or resolved.description,
        statuses=statuses,
        enabled=frozenset(enabled),
        disabled=frozenset(disabled),
        demand_scale=resolved.demand_scale * overlay.demand_scale,
        supply_scale=resolved.supply_scale * overlay.supply_scale,
        patches=patches,
        additions=additions,
    )
