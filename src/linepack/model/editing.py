"""Editing a network from code: look up, change, remove components; add scenarios; copy and save.

Components are immutable pydantic models: an edit builds a new, validated component and puts it in
place of the old one, so a network never holds an invalid component. Every method raises
:class:`~linepack.InputError` naming the component, the field, the value and the fix, with a "did you
mean" for a mistyped id or field.

    net = linepack.load_default_network()          # a fresh, editable copy of the embedded network
    net.update("PSGP-01", inner_diameter_mm=1066.8)  # change fields (validated)
    net.add(linepack.Sink(id="NEW.demand", node="LAHORE", demand=50))
    net.remove("MARI-FERT")
    net.add_scenario("winter", base="psgp_base", demand_scale=1.2, disable=["CS2"])
    net.save("my_network.yaml")
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import InputError
from .components import Component, Edge, Node, Sink, Source
from .errors import describe_validation_error, suggest
from .scenario import Scenario

if TYPE_CHECKING:
    from .network import Network


class EditingMixin:
    """The editing methods of :class:`~linepack.Network` (kept in their own module)."""

    collections: dict[str, dict[str, Component]]
    scenarios: dict[str, Scenario]

    def find(self, component_id: str) -> Component | None:  # pragma: no cover (defined by Network)
        raise NotImplementedError

    def ids(self) -> list[str]:
        """Every component id, in file order (nodes first)."""
        return [cid for coll in self.collections.values() for cid in coll]

    def get(self, component_id: str) -> Component:
        """The component with this id; an :class:`InputError` with a "did you mean" when there is none."""
        comp = self.find(component_id)
        if comp is None:
            raise InputError(
                f"no component with id '{component_id}'{suggest(component_id, self.ids())}; "
                "list the ids with network.ids()"
            )
        return comp

    def update(self, component_id: str, **fields: Any) -> Component:
        """Change fields of a component (``net.update("P1", length_km=12.5)``); returns the new component.

        The edited component is validated as a whole (a compressor switched to mode ratio needs ratio_set);
        an unknown field is an error with the valid fields listed. Ends of an edge are ``from``/``to``
        (pass them as ``**{"from": "A"}``) or ``from_node``/``to_node``. The id cannot change: remove the
        component and add a new one.
        """
        old = self.get(component_id)
        if "id" in fields and fields["id"] != component_id:
            raise InputError(
                f"{old.kind} {component_id}: the id cannot be changed by update(); remove it and add a new component"
            )
        data = old.model_dump(by_alias=True, exclude_unset=True)
        for key, value in fields.items():
            data[{"from_node": "from", "to_node": "to"}.get(key, key)] = value
        model = type(old)
        try:
            new = model.model_validate(data)
        except ValidationError as exc:
            raise InputError(describe_validation_error(f"{old.kind} {component_id}", model, exc)) from None
        self.collections[model.collection][component_id] = new
        return new

    def users_of(self, node_id: str) -> list[Component]:
        """The edges, sources and sinks attached to a node."""
        users: list[Component] = []
        for coll in self.collections.values():
            for c in coll.values():
                if (isinstance(c, Edge) and node_id in (c.from_node, c.to_node)) or (
                    isinstance(c, Source | Sink) and c.node == node_id
                ):
                    users.append(c)
        return users

    def remove(self, component_id: str, *, cascade: bool = False) -> list[str]:
        """Remove a component; returns the ids removed.

        Removing a node that edges, sources or sinks use is an error naming them, unless ``cascade=True``,
        which removes them too. Scenarios that name a removed id are reported by :meth:`validate`.
        """
        comp = self.get(component_id)
        removed = [component_id]
        if isinstance(comp, Node):
            users = self.users_of(component_id)
            if users and not cascade:
                listed = ", ".join(f"{u.kind} {u.id}" for u in users[:8]) + (" ..." if len(users) > 8 else "")
                raise InputError(
                    f"node {component_id}: used by {listed}; remove those first or call remove(..., cascade=True)"
                )
            for u in users:
                del self.collections[u.collection][u.id]
                removed.append(u.id)
        del self.collections[comp.collection][component_id]
        return removed

    def add_scenario(
        self,
        name: str,
        *,
        replace: bool = False,
        **overlay: Any,
    ) -> Scenario:
        """Add a named scenario (fields as in the file format: ``base``, ``description``, ``statuses``,
        ``enable``, ``disable``, ``demand_scale``, ``supply_scale``, ``set``, ``add``); returns it.

        Ids it names are checked against the network (with a "did you mean"). An existing name is an error
        unless ``replace=True``.
        """
        if name in self.scenarios and not replace:
            raise InputError(f"scenario {name}: already defined; choose another name or pass replace=True")
        try:
            sc = Scenario.model_validate(overlay)
        except ValidationError as exc:
            raise InputError(describe_validation_error(f"scenario {name}", Scenario, exc)) from None
        ids = self.ids()
        added = {str(item.get("id")) for items in sc.add.values() for item in items}
        unknown = [cid for cid in [*sc.enable, *sc.disable, *sc.set] if cid not in ids and cid not in added]
        problems = [
            f"scenario {name}: refers to unknown component '{cid}'{suggest(cid, ids)}; correct the id"
            for cid in unknown
        ]
        if sc.base is not None and sc.base not in self.scenarios:
            problems.append(f"scenario {name}: base '{sc.base}' is not defined{suggest(sc.base, list(self.scenarios))}")
        if problems:
            raise InputError(problems)
        self.scenarios[name] = sc
        return sc

    def remove_scenario(self, name: str) -> None:
        if name not in self.scenarios:
            raise InputError(f"scenario '{name}' is not defined{suggest(name, list(self.scenarios))}")
        del self.scenarios[name]

    def copy(self) -> Network:
        """An independent copy (components are immutable, so they are shared; the collections are not)."""
        from .network import Network

        me: Any = self
        out = Network(
            name=me.name,
            description=me.description,
            settings=me.settings,
            gas_compositions=me.gas_compositions,
            scenarios=me.scenarios,
            default_scenario=me.default_scenario,
            references=me.references,
            meta=me.meta,
            compressor_maps=dict(me.compressor_maps),
            drivers=dict(me.drivers),
        )
        for coll, items in self.collections.items():
            out.collections[coll] = dict(items)
        return out

    def save(self, path: str | Path) -> None:
        """Write the network as native YAML or JSON (by suffix), atomically."""
        from ..io.native import save_network

        save_network(self, path)  # type: ignore[arg-type]

    def frame(self, collection: str) -> Any:
        """The components of one collection (``"pipes"``, ``"nodes"``, ...) as a pandas DataFrame indexed by id,
        with the file's field names (units in the names). Needs pandas (``pip install 'linepack[data]'``)."""
        from ..frames import require_pandas

        pd = require_pandas()
        if collection not in self.collections:
            raise InputError(
                f"unknown collection '{collection}'{suggest(collection, list(self.collections))}; "
                f"choose one of {', '.join(self.collections)}"
            )
        rows: Iterable[dict[str, Any]] = (
            c.model_dump(mode="json", by_alias=True) for c in self.collections[collection].values()
        )
        df = pd.DataFrame(list(rows))
        return df.set_index("id") if len(df) else df
