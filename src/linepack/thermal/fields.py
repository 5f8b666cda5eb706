"""The result fields of non-isothermal solves, with units, for ``linepack describe`` (``thermal_result`` for the steady
result and its files, ``transient_temperatures`` for a transient run's temperatures)."""

from __future__ import annotations

#: kind -> rows (field, where, unit, description)
RESULT_FIELDS: dict[str, list[tuple[str, str, str, str]]] = {
    "thermal_result": [
        ("temperature_c", "result file: nodes", "degC", "gas temperature at the node (streams mixed on enthalpy)"),
        ("temperature_k", "result file: pipes", "K", "the pipe's length-averaged gas temperature (its law's T)"),
        ("suction_temperature_c", "result file: compressors", "degC", "gas entering the station"),
        ("discharge_temperature_c", "result file: compressors", "degC", "compressor discharge, before the cooler"),
        ("outlet_temperature_c", "result file: compressors, regulators", "degC", "gas leaving the station"),
        ("cooler_duty_mw", "result file: compressors", "MW", "heat the after-cooler removes"),
        (
            "over_discharge_limit",
            "result file: compressors",
            "",
            "gas leaving above discharge_temperature_max_c by more than 0.01 K (a t_discharge_max violation)",
        ),
        (
            "at_discharge_limit",
            "result file: compressors",
            "",
            "held on its discharge temperature limit (an active bound of the coupled solve)",
        ),
        ("inlet_temperature_c", "result file: regulators", "degC", "gas entering the regulator"),
        ("preheater_duty_mw", "result file: regulators", "MW", "heat the preheater adds"),
        ("thermal.node_t_k", "SteadyResult", "K", "temperature at every node"),
        ("thermal.edge_t_inlet_k / edge_t_outlet_k", "SteadyResult", "K", "temperature entering / leaving each edge"),
        ("thermal.edge_t_mean_k", "SteadyResult", "K", "length-averaged temperature of every flowing edge"),
        ("thermal.pipe_heat_to_ground_w", "SteadyResult", "W", "heat each pipe gives the ground"),
        ("thermal.comp_discharge_t_k", "SteadyResult", "K", "compressor discharge temperature before the cooler"),
        ("thermal.cooler_duty_w / preheater_duty_w", "SteadyResult", "W", "after-cooler and preheater duties"),
        ("thermal.comp_over_limit / comp_at_limit", "SteadyResult", "", "discharge limit violated / in force"),
        ("suction_c, discharge_c, outlet_c", "web table: compressors", "degC", "as in the result file"),
        ("cooler_mw", "web table: compressors", "MW", "after-cooler duty"),
        ("at_temperature_limit, over_temperature_limit", "web table: compressors", "", "as in the result file"),
    ],
    "transient_temperatures": [
        ("times_s", "TransientTemperatures", "s", "the run's snapshot times"),
        ("point_t_k", "TransientTemperatures", "K", "temperature at every point of the segment grid (nodes first)"),
        ("node_t_k", "TransientTemperatures", "K", "temperature at every node"),
        ("segment_t_k", "TransientTemperatures", "K", "mean temperature of every segment"),
        ("sink_t_k", "TransientTemperatures", "K", "temperature of the gas each delivery receives"),
        ("comp_discharge_t_k", "TransientTemperatures", "K", "compressor discharge before the cooler"),
        ("cooler_duty_w, preheater_duty_w", "TransientTemperatures", "W", "after-cooler and preheater duties"),
        ("heat_to_ground_w", "TransientTemperatures", "W", "heat all pipes give the ground"),
        ("<delivery>_temperature_c", "<output>.temperatures.csv", "degC", "delivery temperature per snapshot"),
        ("<compressor>_discharge_temperature_c", "<output>.temperatures.csv", "degC", "discharge temperature"),
        ("<compressor>_cooler_duty_mw", "<output>.temperatures.csv", "MW", "after-cooler duty"),
        ("<regulator>_preheater_duty_mw", "<output>.temperatures.csv", "MW", "preheater duty"),
        ("heat_to_ground_mw", "<output>.temperatures.csv", "MW", "heat all pipes give the ground"),
    ],
}


def result_field_rows(kind: str) -> list[dict[str, str]] | None:
    """The rows of ``linepack describe`` for a result kind (None: not a result kind)."""
    rows = RESULT_FIELDS.get(kind)
    if rows is None:
        return None
    return [
        {"field": f, "type": where, "unit": unit, "default": "", "bounds": "", "description": text}
        for f, where, unit, text in rows
    ]
