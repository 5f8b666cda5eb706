"""Build the shipped synthetic SCADA of the Pakistan Stream corridor (linepack/data/scada/).

    python scripts/build_psgp_scada.py            # writes psgp_meters.yaml and psgp_scada.csv.gz

The meter set is assumed (A): pressure at every station, junction, terminal and city gate; custody flow
meters at every supply and delivery; station throughput and power; flow meters at both ends of every PSGP
pipe (the interconnection metering at Hyderabad, Nawabshah, Sawan, Qadirpur, Sadiqabad, Multan and Sahiwal).
Accuracies (A): pressure transmitters 0.05 bar (about 0.05 % of a 100-bar span), ultrasonic flow meters 0.5 %
of reading, station power 2 %. The data: 8 hours of 1-minute readings of the winter-day scenario psgp_base,
simulated on 2 km segments, with meter noise, 0.2 % drop-outs, one stuck meter and a leak of 12 kg/s
(about 1 % of the corridor's flow at CS1, 3 % of PSGP-06's) on PSGP-06 at 120 km from Sadiqabad opening at
05:00; the ground truth is in the docstring of the data's README.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import linepack as lp  # noqa: E402
from linepack.estimate.scada import write_scada  # noqa: E402
from linepack.estimate.synthetic import MeterErrors, Stuck, default_meter_set, synthesize  # noqa: E402
from linepack.route import PSGP_CORRIDOR  # noqa: E402
from linepack.transient import parse_event, winter_day_profile  # noqa: E402

OUT = ROOT / "src" / "linepack" / "data" / "scada"
PSGP_PIPES = tuple(f"PSGP-0{i}" for i in range(1, 9))
LEAK = "leak:PSGP-06:120:12@05:00"
HOURS = 8.0


def psgp_meters():  # type: ignore[no-untyped-def]
    net = lp.load_default_network()
    return default_meter_set(
        net,
        name="PSGP corridor meters (assumed, A)",
        pipe_flows=[(p, e) for p in PSGP_PIPES for e in ("from", "to")],
        pressure_nodes=(*PSGP_CORRIDOR, "NAWABSHAH", "QADIRPUR_S", "MULTAN_S"),
        provenance="A: assumed; pressure transmitters 0.05 bar, ultrasonic flow meters 0.5 % of reading, "
        "station power 2 % (typical SCADA instrument classes, no PSGP instrument list is published)",
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    net = lp.load_default_network()
    meters = psgp_meters()
    meters.save(OUT / "psgp_meters.yaml")
    syn = synthesize(
        net,
        meters,
        profile=winter_day_profile(),
        events=[parse_event(LEAK)],
        hours=HOURS,
        interval_s=60.0,
        segment_length_m=2000.0,
        seed=2024,
        errors=MeterErrors(dropout_rate=0.002, stuck=(Stuck("SAHIWAL.P", 6.5 * 3600.0),)),
    )
    write_scada(syn.data, OUT / "psgp_scada.csv.gz")
    print(f"{len(meters.meters)} meters, {syn.data.n_rows} readings, leak {LEAK}: written to {OUT}")


if __name__ == "__main__":
    main()
