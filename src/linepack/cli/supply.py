"""``linepack supply``: LNG terminals, cargoes and storage over days to a year, with the network.

``linepack supply`` runs a horizon (default: the embedded Pakistan supply chain, January 2026, daily steps,
the shipped cargo schedule); ``plan`` makes a monthly plan on HiGHS and verifies it by replay; ``montecarlo``
draws cargo delays and cancellations (with variants: an extra FSRU, bigger tanks, a storage site); ``delays``
delays each cargo alone; ``lpg`` runs the LPG terminal; ``cargoes`` writes a schedule from the contracts.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import InputError
from .common import ScenarioOpt, err, guard, network_from, out

if TYPE_CHECKING:
    from ..model.network import Network
    from ..supply.model import SupplyChain
    from ..supply.schedule import Cargo

DEFAULT_START = "2026-01-01"  # the shipped schedule's month
SHIPPED = "supply_psgp_2026-01.csv"  # the embedded chain's schedule of January 2026

supply_app = typer.Typer(
    help="LNG terminals, cargo schedules, storage and LPG over days to a year, coupled with the network. With no "
    "command: run a horizon (default: the embedded Pakistan supply chain, January 2026, daily).",
    invoke_without_command=True,
    rich_markup_mode=None,
)
NetOpt = Annotated[
    Path | None,
    typer.Option("--net", help="network file (.yaml, .json or GasLib .net); default: the embedded PSGP network"),
]
SupplyOpt = Annotated[Path | None, typer.Option("--supply", help="supply-chain file (default: the embedded one)")]
ScheduleOpt = Annotated[
    str | None,
    typer.Option("--schedule", help="cargo schedule (.csv or .yaml), or 'contracts' to generate one from the supply "
                 "file's contracts; default: the shipped schedule for the embedded chain in January 2026, else "
                 "'contracts'"),
]
StartOpt = Annotated[str, typer.Option("--start", help="first day of the run (YYYY-MM-DD or YYYY-MM-DDTHH:MM)")]
DaysOpt = Annotated[float, typer.Option("--days", help="length of the run [days]")]
VariantOpt = Annotated[str | None, typer.Option("--variant", help="a variant of the supply file (see docs/supply.md)")]
NetworkModeOpt = Annotated[
    str,
    typer.Option("--network", help="steady (a steady state per step), transient (linepack packs and drafts), or "
                 "auto: steady for daily or longer steps, transient for shorter ones"),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="seed of the schedule generator and the random draws")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="print only the summary line")]


def _chain(supply: Path | None, variant: str | None) -> tuple[SupplyChain, str | None, bool]:
    from ..supply.model import default_supply_chain, load_supply_chain

    chain = load_supply_chain(supply) if supply is not None else default_supply_chain()
    scenario = None
    if variant is not None:
        chain, scenario = chain.with_variant(variant)
    return chain, scenario, supply is None


def _start(text: str) -> datetime:
    from ..supply.schedule import parse_time

    return parse_time(text, "--start")


def _cargoes(chain: SupplyChain, network: Network, schedule: str | None, start: datetime, days: float, seed: int,
             embedded: bool) -> tuple[list[Cargo], str]:
    from ..supply.schedule import generate, read_schedule, schedule_from_text

    known = set(chain.lng_compositions) | set(network.gas_compositions)
    if schedule is None:
        if embedded and start == datetime(2026, 1, 1) and days <= 31:
            text = resources.files("linepack.data").joinpath(SHIPPED).read_text(encoding="utf-8")
            return schedule_from_text(text, SHIPPED, chain, start, known), f"the shipped schedule {SHIPPED}"
        schedule = "contracts"
    if schedule == "contracts":
        return generate(chain, start, days, seed), f"generated from the contracts (seed {seed})"
    return read_schedule(Path(schedule), chain, start, known), schedule


def _month(file: Path | None, supply_file: Path | None, schedule: str | None, start: str, days: float,
           network_mode: str) -> tuple[Network, SupplyChain, datetime, list[Cargo], str]:
    """The network, chain, start and schedule of the commands that rerun a horizon many times."""
    if network_mode not in ("steady", "transient"):
        raise InputError(f"--network {network_mode}: choose transient or steady")
    net = network_from(file)
    chain, _, embedded = _chain(supply_file, None)
    t0 = _start(start)
    cargoes, where = _cargoes(chain, net, schedule, t0, days, 0, embedded)
    return net, chain, t0, cargoes, where


def _mode(network_mode: str, step_h: float) -> str:
    if network_mode not in ("auto", "steady", "transient"):
        raise InputError(f"--network {network_mode}: choose auto, steady or transient")
    if network_mode == "auto":
        return "steady" if step_h >= 24.0 else "transient"
    return network_mode


class _Bar:
    """A progress bar on stderr (off when quiet): count done, elapsed and remaining time."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.p = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TimeRemainingColumn(), console=err, transient=True, disable=not enabled)
        self.task = self.p.add_task(label, total=total)

    def __enter__(self) -> _Bar:
        self.p.start()
        return self

    def __exit__(self, *a: Any) -> None:
        self.p.stop()

    def __call__(self, done: int, total: int) -> None:
        self.p.update(self.task, completed=done)


@supply_app.callback()
def supply(
    ctx: typer.Context,
    file: NetOpt = None,
    supply_file: SupplyOpt = None,
    schedule: ScheduleOpt = None,
    scenario: ScenarioOpt = None,
    variant: VariantOpt = None,
    start: StartOpt = DEFAULT_START,
    days: DaysOpt = 31.0,
    step: Annotated[float, typer.Option("--step", help="step [hours]: 24 daily, 1 hourly")] = 24.0,
    network_mode: NetworkModeOpt = "auto",
    segment_km: Annotated[float, typer.Option("--segment-km", help="pipe segments of the transient [km]")] = 10.0,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="demand multipliers over time (CSV/Parquet, demand:<sink|class|*>)")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="result file: .parquet or .nc")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="PNG of inventories, send-out and unserved gas")] = None,
    cargo_table: Annotated[bool, typer.Option("--cargoes", help="print what happened to every cargo")] = False,
    seed: SeedOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """Run the supply chain over a horizon with its network: tank inventories, send-out, days of cover, berth
    queues, storage, and served and unserved gas per delivery (curtailed by priority)."""
    if ctx.invoked_subcommand is not None:
        return
    from ..supply.horizon import HorizonOptions, run_horizon
    from ..supply.report import print_supply

    def go() -> None:
        if output is not None and output.suffix.lower() not in (".parquet", ".nc"):
            raise InputError(f"--output {output}: use a .parquet or .nc file name")
        if plot is not None and plot.suffix.lower() != ".png":
            raise InputError(f"--plot {plot}: use a .png file name")
        if segment_km <= 0:
            raise InputError(f"--segment-km {segment_km}: give a positive length")
        net = network_from(file)
        chain, v_scenario, embedded = _chain(supply_file, variant)
        t0 = _start(start)
        cargoes, where = _cargoes(chain, net, schedule, t0, days, seed, embedded)
        prof = None
        if profile is not None:
            from ..transient import read_profile

            prof = read_profile(profile)
        mode = _mode(network_mode, step)
        opts = HorizonOptions(t0, days, step, mode, segment_km)
        n = len(opts.edges_s()) - 1
        if not quiet:
            out.print(f"{len(cargoes)} cargoes: {where}")
        with _Bar("steps", n, not quiet) as bar:
            res = run_horizon(chain, net, cargoes, opts, scenario or v_scenario, prof, progress=bar)
        if quiet:
            short = sum(r["unserved_mmscf"] for r in res.delivery_table())
            out.print(f"{res.n_steps} steps, network {res.network_mode}: unserved {short:,.1f} MMSCF; CPU "
                      f"{res.cpu_s:.2f} s")
        else:
            print_supply(res, out, cargo_table)
        if output is not None:
            written = res.save(output)
            out.print(f"result written to {', '.join(str(p) for p in written)}")
        if plot is not None:
            from ..supply.plots import plot_supply

            plot_supply(res, plot)
            out.print(f"plot written to {plot}")

    guard(go)


@supply_app.command("plan")
def plan(
    file: NetOpt = None,
    supply_file: SupplyOpt = None,
    schedule: ScheduleOpt = None,
    scenario: ScenarioOpt = None,
    variant: VariantOpt = None,
    start: StartOpt = DEFAULT_START,
    days: Annotated[int, typer.Option("--days", help="days planned (daily steps)")] = 31,
    objective: Annotated[str, typer.Option("--objective", help="unserved (value of lost load) or cost")] = "unserved",
    slots: Annotated[
        bool, typer.Option("--slots", help="also choose cargo arrival days within --window (MILP)")
    ] = False,
    window: Annotated[int, typer.Option("--window", help="days a cargo may move either way with --slots")] = 2,
    rounds: Annotated[int, typer.Option("--rounds", help="plan-replay rounds")] = 8,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="plan as CSV (one row a day)")] = None,
    schedule_out: Annotated[
        Path | None, typer.Option("--schedule-out", help="the planned schedule as CSV (with --slots)")
    ] = None,
    seed: SeedOpt = 0,
) -> None:
    """A monthly plan of send-out per terminal and day (and, with --slots, cargo arrival days) at least value of
    lost load or cost, under tank, berth, send-out and network limits; an LP/MILP on HiGHS, verified by
    replaying it in the simulation. Needs the optimize extra (highspy)."""
    from ..supply.plan import PlanOptions, plan_month, plan_table
    from ..supply.report import print_plan

    def go() -> None:
        if importlib.util.find_spec("highspy") is None:
            raise InputError("plans need highspy: pip install 'linepack[optimize]'")
        net = network_from(file)
        chain, v_scenario, embedded = _chain(supply_file, variant)
        t0 = _start(start)
        cargoes, where = _cargoes(chain, net, schedule, t0, days, seed, embedded)
        out.print(f"{len(cargoes)} cargoes: {where}")
        p = plan_month(chain, net, cargoes, t0, days, scenario or v_scenario,
                       PlanOptions(objective=objective, slots=slots, window_days=window, rounds=rounds))
        print_plan(p, out)
        if output is not None:
            _write_csv(output, plan_table(p))
            out.print(f"plan written to {output}")
        if schedule_out is not None:
            from ..supply.schedule import write_schedule

            write_schedule(p.cargoes, schedule_out)
            out.print(f"schedule written to {schedule_out}")

    guard(go)


@supply_app.command("montecarlo")
def montecarlo(
    file: NetOpt = None,
    supply_file: SupplyOpt = None,
    schedule: ScheduleOpt = None,
    scenario: ScenarioOpt = None,
    start: StartOpt = DEFAULT_START,
    days: DaysOpt = 31.0,
    draws: Annotated[int, typer.Option("--draws", "-n", help="random months")] = 1000,
    variants: Annotated[
        str | None, typer.Option("--variants", help="comma-separated variants to compare with the base (same draws)")
    ] = None,
    network_mode: Annotated[
        str, typer.Option("--network", help="transient (linepack counted, default) or steady")
    ] = "transient",
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="processes (default: every core)")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="one row a draw and variant: .parquet or .csv")
                      ] = None,
    seed: Annotated[int, typer.Option("--seed", help="seed of the draws")] = 1,
    quiet: QuietOpt = False,
) -> None:
    """Monte Carlo of cargo delays and cancellations (reliability per contract in the supply file): probability
    and size of shortfalls per delivery, and what each variant saves against the base with the same draws."""
    import os

    from ..supply.montecarlo import monte_carlo
    from ..supply.report import print_montecarlo

    def go() -> None:
        if output is not None and output.suffix.lower() not in (".parquet", ".csv"):
            raise InputError(f"--output {output}: use a .parquet or .csv file name")
        net, chain, t0, cargoes, where = _month(file, supply_file, schedule, start, days, network_mode)
        names = tuple(v.strip() for v in (variants or "").split(",") if v.strip())
        n_workers = workers if workers is not None else max(os.cpu_count() or 1, 1)
        if not quiet:
            out.print(f"{len(cargoes)} cargoes: {where}")
        with _Bar("draws", draws, not quiet) as bar:
            mc = monte_carlo(chain, net, cargoes, t0, days, draws, seed, scenario, names, network_mode,
                             workers=n_workers, progress=bar)
        print_montecarlo(mc, out)
        if output is not None:
            _write_table(output, mc.draw_table())
            out.print(f"draws written to {output}")

    guard(go)


@supply_app.command("delays")
def delays(
    file: NetOpt = None,
    supply_file: SupplyOpt = None,
    schedule: ScheduleOpt = None,
    scenario: ScenarioOpt = None,
    start: StartOpt = DEFAULT_START,
    days: DaysOpt = 31.0,
    delay: Annotated[float, typer.Option("--delay-days", help="how late each cargo is, alone")] = 3.0,
    network_mode: Annotated[str, typer.Option("--network", help="steady or transient")] = "transient",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="table as CSV")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Delay each cargo of the schedule alone by --delay-days: the unserved gas it causes and who loses it."""
    from ..supply.montecarlo import delay_sensitivity
    from ..supply.report import print_delays

    def go() -> None:
        if delay <= 0:
            raise InputError(f"--delay-days {delay}: give a positive number of days")
        net, chain, t0, cargoes, where = _month(file, supply_file, schedule, start, days, network_mode)
        out.print(f"{len(cargoes)} cargoes: {where}")
        with _Bar("cargoes", len(cargoes), not quiet) as bar:
            rows = delay_sensitivity(chain, net, cargoes, t0, days, delay, scenario, network_mode, progress=bar)
        print_delays(rows, delay, out)
        if output is not None:
            _write_csv(output, rows)
            out.print(f"table written to {output}")

    guard(go)


@supply_app.command("lpg")
def lpg(
    supply_file: SupplyOpt = None,
    terminal: Annotated[str | None, typer.Option("--terminal", help="LPG terminal id (default: the first)")] = None,
    start: StartOpt = DEFAULT_START,
    days: DaysOpt = 31.0,
    parcels: Annotated[
        Path | None, typer.Option("--parcels", help="parcels CSV: vessel,arrival,tonnes[,status]; default: generated")
    ] = None,
) -> None:
    """The LPG import terminal (not on the gas grid): parcels, truck and rail dispatch, days of cover,
    stock-outs."""
    from ..supply.lpg import generate_parcels, run_lpg
    from ..supply.report import print_lpg

    def go() -> None:
        chain, _, _ = _chain(supply_file, None)
        if not chain.lpg_terminals:
            raise InputError("the supply file has no lpg_terminals")
        spec = chain.lpg_terminals[0] if terminal is None else next(
            (t for t in chain.lpg_terminals if t.id == terminal), None)
        if spec is None:
            raise InputError(f"--terminal {terminal}: no such LPG terminal; terminals are "
                             f"{', '.join(t.id for t in chain.lpg_terminals)}")
        t0 = _start(start)
        plist = _read_parcels(parcels) if parcels is not None else generate_parcels(spec, t0, days)
        print_lpg(run_lpg(spec, plist, t0, days), out)

    guard(go)


@supply_app.command("cargoes")
def cargoes_cmd(
    supply_file: SupplyOpt = None,
    start: StartOpt = DEFAULT_START,
    days: DaysOpt = 31.0,
    seed: SeedOpt = 0,
    output: Annotated[Path, typer.Option("--output", "-o", help="schedule CSV to write")] = Path("cargoes.csv"),
) -> None:
    """Write the cargo schedule of the supply file's contracts over a horizon (CSV, the format --schedule reads)."""
    from ..supply.schedule import generate, write_schedule

    def go() -> None:
        chain, _, _ = _chain(supply_file, None)
        if days <= 0:
            raise InputError(f"--days {days}: give a positive number of days")
        cargoes = generate(chain, _start(start), days, seed)
        write_schedule(cargoes, output)
        out.print(f"{len(cargoes)} cargoes written to {output}")

    guard(go)


def _read_parcels(path: Path) -> list[Any]:
    import csv

    from ..supply.lpg import Parcel
    from ..supply.schedule import parse_time

    if not path.is_file():
        raise InputError(f"--parcels {path}: file not found")
    problems: list[str] = []
    parcels = []
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].lstrip().startswith("#")]
    if not rows or [h.strip() for h in rows[0][:3]] != ["vessel", "arrival", "tonnes"]:
        raise InputError(f"--parcels {path}: the header must start vessel,arrival,tonnes")
    for n, r in enumerate(rows[1:], start=2):
        where = f"{path.name} line {n}"
        try:
            t = parse_time(r[1], where)
            tonnes = float(r[2])
        except (InputError, ValueError, IndexError):
            problems.append(f"{where}: give vessel, an arrival date-time and tonnes")
            continue
        parcels.append(Parcel(r[0].strip(), t, tonnes, len(r) > 3 and r[3].strip() == "cancelled"))
    if problems:
        raise InputError(problems)
    return parcels


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    import csv
    import io

    from ..io.atomic import atomic_write_text

    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    atomic_write_text(path, buf.getvalue())


def _write_table(path: Path, cols: dict[str, list[Any]]) -> None:
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(f"--output {path}: Parquet needs pyarrow (pip install 'linepack[study]'); or use .csv"
                             ) from None
        from ..io.atomic import atomic_write_bytes

        sink = pa.BufferOutputStream()
        pq.write_table(pa.table({k: pa.array(v) for k, v in cols.items()}), sink)
        atomic_write_bytes(path, sink.getvalue().to_pybytes())
        return
    keys = list(cols)
    n = len(cols[keys[0]]) if keys else 0
    _write_csv(path, [{k: cols[k][i] for k in keys} for i in range(n)])

