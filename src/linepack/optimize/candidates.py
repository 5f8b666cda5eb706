"""Candidate projects from a YAML file, for expansion planning on any network.

Format (``linepack-candidates/1``)::

    format: linepack-candidates/1
    base_scenario: existing          # optional; the command's --scenario wins
    required_groups: [trunk]         # exactly one candidate of each of these groups is built
    candidates:
      - id: TRUNK-42                 # a project: components of the network put in service
        enable: [PIPE-42A, PIPE-42B]
        group: trunk                 # at most one of a group (exactly one if the group is required)
      - id: CS-MID
        enable: [CS_MID]
        capital_usd: 45000000        # optional: else from the components and costs.yaml

Capital from components: pipes by inch-km (nominal diameter, else inner diameter / 25.4), compressors by
station plus rated MW, sources (terminals) by capacity in MMSCFD.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..model.network import Network
from .economics import Economics
from .expansion import Candidate, ExpansionResult, plan, scenario_options

if TYPE_CHECKING:
    from .formulations.milp import MilpOptions

_KEYS = {"format", "base_scenario", "required_groups", "candidates"}
_CAND_KEYS = {"id", "enable", "group", "capital_usd"}


def parse_candidates(doc: Any, where: str) -> tuple[list[Candidate], list[str], str | None]:
    if not isinstance(doc, dict) or not isinstance(doc.get("candidates"), list):
        raise InputError(f"{where}: needs a 'candidates' list (see docs/optimize.md)")
    unknown = set(doc) - _KEYS
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; keys: {', '.join(sorted(_KEYS))}")
    out: list[Candidate] = []
    problems: list[str] = []
    for k, c in enumerate(doc["candidates"]):
        if not isinstance(c, dict) or "id" not in c or not isinstance(c.get("enable"), list):
            problems.append(f"{where}: candidate {k + 1} needs an id and an enable list of component ids")
            continue
        bad = set(c) - _CAND_KEYS
        if bad:
            problems.append(f"{where}: candidate {c['id']}: unknown key(s) {', '.join(sorted(bad))}")
            continue
        cap = c.get("capital_usd")
        if cap is not None and (not isinstance(cap, int | float) or cap < 0):
            problems.append(f"{where}: candidate {c['id']}: capital_usd must be a number >= 0 (got {cap!r})")
            continue
        out.append(Candidate(str(c["id"]), tuple(str(x) for x in c["enable"]), c.get("group"), cap))
    if problems:
        raise InputError(problems)
    req = doc.get("required_groups") or []
    if not isinstance(req, list):
        raise InputError(f"{where}: required_groups must be a list of group names")
    return out, [str(g) for g in req], doc.get("base_scenario")


def load_candidates(
    path: Path, network: Network, scenario: str | None, econ: Economics, milp: MilpOptions | None = None
) -> ExpansionResult:
    """Read ``path`` and plan the expansion of ``network`` from ``scenario`` (else the file's base_scenario);
    by enumeration with the exact NLP, or with ``milp`` by one MILP verified by the NLP."""
    from ..io.native import load_document

    doc = load_document(Path(path), "expansion candidates (YAML)")
    cands, required, base = parse_candidates(doc, str(path))
    base_scenario = scenario or base
    options = scenario_options(network, base_scenario, cands, econ, required)
    notes = (f"candidates from {path}, base scenario {base_scenario or '(as written)'}",)
    if milp is None:
        return plan(options, econ, 0.0, notes)
    from .expansion_milp import candidate_switches, plan_milp

    cn, switches = candidate_switches(network, base_scenario, cands, econ)
    return plan_milp(cn, switches, required, options, econ, 0.0, notes, False, milp)
