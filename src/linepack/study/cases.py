"""Case specifications: small, picklable overlays on one base scenario, and the study context.

A case never carries a network. It names what differs from the base scenario (components out of
service, demand and supply scaling, field patches); workers turn it into a scenario overlay applied at
compile time (:func:`linepack.model.scenario.compose`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model.network import Network
from ..model.scenario import Scenario

PatchValue = float | int | str | bool


@dataclass(frozen=True)
class CaseSpec:
    """One case of a study: an overlay on the base scenario, plus the parameters that describe it."""

    case_id: int
    label: str
    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    demand_scale: float = 1.0
    supply_scale: float = 1.0
    patches: tuple[tuple[str, str, PatchValue], ...] = ()  # (component id, field, value)
    params: tuple[tuple[str, float], ...] = ()  # named parameter values (sweep axes, Monte Carlo draws)

    def overlay(self) -> Scenario:
        """The scenario overlay of this case (applied on top of the base scenario)."""
        patches: dict[str, dict[str, Any]] = {}
        for cid, fld, value in self.patches:
            patches.setdefault(cid, {})[fld] = value
        return Scenario(
            description=self.label,
            disable=list(self.disable),
            enable=list(self.enable),
            demand_scale=self.demand_scale,
            supply_scale=self.supply_scale,
            set=patches,
        )

    def params_json(self) -> str:
        return json.dumps(dict(self.params), sort_keys=True)


@dataclass(frozen=True)
class StudyContext:
    """What every worker needs once per study: the network (as a native JSON document) and the base.

    Sent to each worker once (pickled with the local pool's initializer, scattered to Dask workers);
    workers cache the compiled base case by :attr:`key`.
    """

    network_json: str
    base_scenario: str | None
    shed: bool = True  # estimate unserved demand of infeasible cases by priority curtailment
    options: tuple[tuple[str, float | bool], ...] = field(default=())  # SteadyOptions overrides
    overlays: tuple[str, ...] = ()  # scenario overlays (JSON documents) composed onto the base, in order

    @staticmethod
    def from_network(
        network: Network,
        base_scenario: str | None,
        shed: bool = True,
        options: dict[str, float | bool] | None = None,
        overlays: list[Scenario] | None = None,
    ) -> StudyContext:
        scenario = base_scenario if base_scenario is not None else network.default_scenario
        text = json.dumps(network.to_dict(), sort_keys=True, separators=(",", ":"))
        # the shedding step answers what the supply probe would; a study caps each solve at 30 s
        opts = {"probe_supply": False, "max_time_s": 30.0, **(options or {})}
        docs = tuple(json.dumps(o.model_dump(mode="json"), sort_keys=True) for o in overlays or [])
        return StudyContext(text, scenario, shed, tuple(sorted(opts.items())), docs)

    @property
    def key(self) -> str:
        h = hashlib.sha256(self.network_json.encode())
        h.update(repr((self.base_scenario, self.shed, self.options, self.overlays)).encode())
        return h.hexdigest()[:16]


def load_overlay(path: str | Path, network: Network) -> Scenario:
    """A scenario overlay file (YAML or JSON, the fields of a network file's scenario) checked against
    ``network``: every id it enables, disables or patches must exist (or be added by the overlay)."""
    from pydantic import ValidationError

    from ..io.native import load_document
    from ..model.errors import describe_validation_error, suggest

    p = Path(path)
    doc = load_document(p, "scenario overlay (YAML or JSON)")
    try:
        overlay = Scenario.model_validate(doc if doc is not None else {})
    except ValidationError as exc:
        raise InputError(describe_validation_error(f"--overlay {p}", Scenario, exc)) from None
    if overlay.base is not None:
        raise InputError(f"--overlay {p}: base is not used in an overlay file; choose the base with --scenario")
    ids = sorted(c.id for c in network.components())
    added = {str(item.get("id")) for items in overlay.add.values() for item in items}
    unknown = [cid for cid in [*overlay.enable, *overlay.disable, *overlay.set] if cid not in ids and cid not in added]
    if unknown:
        raise InputError([f"--overlay {p}: unknown component '{cid}'{suggest(cid, ids)}" for cid in unknown])
    return overlay
