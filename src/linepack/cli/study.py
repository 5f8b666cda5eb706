"""``linepack study``: N-1/N-2 contingencies, parameter sweeps and Monte Carlo from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import FileArg, guard, network_from, out

if TYPE_CHECKING:
    from ..model.network import Network
    from ..study.cases import CaseSpec

study_app = typer.Typer(
    help="Studies of many cases (needs the study extra: pip install 'linepack[study]'; Dask: 'linepack[cluster]').",
    no_args_is_help=True,
    rich_markup_mode=None,
)
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", "-s", help="base scenario (default: the network's)")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", "-w", help="worker processes (default: every core)")]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler address (e.g. tcp://10.0.0.5:8786); workers started by you"),
]
DaskOpt = Annotated[bool, typer.Option("--dask", help="run on a local Dask cluster of --workers processes")]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="continue the study in --output, skipping stored cases")]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="discard the results already in --output")]
BatchOpt = Annotated[int | None, typer.Option("--batch-size", help="cases per task (default: automatic)")]
ShedOpt = Annotated[
    bool, typer.Option("--shed/--no-shed", help="estimate unserved demand of cases with no steady state (default on)")
]
ProgressOpt = Annotated[bool, typer.Option("--progress/--no-progress", help="progress bar on stderr")]
PlotsOpt = Annotated[bool, typer.Option("--plots/--no-plots", help="write PNG plots into --output (needs matplotlib)")]
TopOpt = Annotated[int, typer.Option("--top", help="rows of the criticality ranking")]
OverlayOpt = Annotated[
    list[Path] | None,
    typer.Option("--overlay", help="scenario overlay file (YAML/JSON) composed onto the base; repeatable, in order"),
]


def _output(output: Path | None, kind: str) -> Path:
    return output if output is not None else Path(f"study-{kind}")


def _execute(
    kind: str,
    net: Network,
    scenario: str | None,
    make_cases: Any,
    settings: dict[str, Any],
    output: Path,
    workers: int | None,
    scheduler: str | None,
    dask: bool,
    resume: bool,
    overwrite: bool,
    batch_size: int | None,
    shed: bool,
    progress: bool,
    plots: bool,
    top: int,
    overlays: list[Path] | None = None,
) -> None:
    from ..errors import ConvergenceError
    from ..study.cases import StudyContext, load_overlay
    from ..study.evaluate import base_case
    from ..study.run import run_study
    from ..study.store import ResultStore

    if scheduler and dask:
        from ..errors import InputError

        raise InputError("--scheduler and --dask exclude each other: --dask starts a local cluster")
    layers = [load_overlay(p, net) for p in overlays or []]
    ctx = StudyContext.from_network(net, scenario, shed=shed, overlays=layers)
    try:
        base = base_case(ctx)  # solve the base here first: every case warm-starts from it
    except ConvergenceError as exc:
        raise type(exc)(
            f"the study's base scenario {ctx.base_scenario} has no steady state, and every case starts from it; "
            f"choose another --scenario or fix the network ({str(exc).splitlines()[0]})",
            exc.diagnosis,
        ) from None
    cases: list[CaseSpec] = make_cases(base)
    study = {
        "kind": kind,
        "network": net.name,
        "base_scenario": ctx.base_scenario,
        "overlays": [str(p) for p in overlays or []],
        **settings,
    }
    try:
        stats = run_study(
            ctx,
            cases,
            study,
            output,
            workers=workers,
            scheduler=scheduler,
            dask=dask,
            resume=resume,
            overwrite=overwrite,
            batch_size=batch_size,
            progress=progress,
        )
    except KeyboardInterrupt:
        done = len(ResultStore(output).done_ids())
        out.print(
            f"interrupted: {done} of {len(cases)} cases are stored in {output}; "
            "run the same command with --resume to finish the study",
            highlight=False,
        )
        raise typer.Exit(130) from None
    out.print(
        f"{stats.computed} cases computed ({stats.skipped} already stored) in {stats.wall_s:.1f} s on "
        f"{stats.workers} {stats.backend} worker(s): {stats.cases_per_s:.1f} cases/s; results in {output}",
        highlight=False,
    )
    _print_report(ResultStore(output), top, plots)


def _print_report(store: Any, top: int, plots: bool) -> None:
    from ..errors import InputError
    from ..io.atomic import atomic_write_text
    from ..study.report import build_report, report_markdown

    sections = build_report(store, top)
    title = f"Study report: {store.manifest().get('study', {}).get('kind', '')}"
    text = report_markdown(sections, title)
    out.print(text, highlight=False, markup=False, soft_wrap=True)
    atomic_write_text(store.path / "report.md", text + "\n")
    written = [store.path / "report.md"]
    if plots:
        from ..study.plots import criticality_chart, delivery_histograms, unserved_histogram

        plots_of = [(criticality_chart, "criticality.png"), (delivery_histograms, "delivery_pressures.png")]
        if store.manifest().get("study", {}).get("kind") == "montecarlo":
            plots_of.append((unserved_histogram, "unserved.png"))
        try:
            for fn, name in plots_of:
                p = fn(store, store.path / name)
                if p is not None:
                    written.append(p)
        except InputError as exc:  # matplotlib missing: the study and its report stand without plots
            out.print(f"plots skipped: {exc}", highlight=False)
    out.print("written: " + ", ".join(str(p) for p in written), highlight=False)


@study_app.command("n-1")
def n_1(
    file: FileArg = None,
    scenario: ScenarioOpt = None,
    overlay: OverlayOpt = None,
    order: Annotated[int, typer.Option("--order", help="outages at a time: 1 (N-1) or 2 (N-2)")] = 1,
    kinds: Annotated[
        str,
        typer.Option(
            "--kinds", help="comma list of outage kinds: pipe, compressor, unit (a compressor unit), regulator, source"
        ),
    ] = "pipe,compressor,source",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="study folder (default study-n-1)")] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    dask: DaskOpt = False,
    resume: ResumeOpt = False,
    overwrite: OverwriteOpt = False,
    batch_size: BatchOpt = None,
    shed: ShedOpt = True,
    progress: ProgressOpt = True,
    plots: PlotsOpt = True,
    top: TopOpt = 15,
) -> None:
    """Take every pipe, compressor station and source out of service, one at a time (N-2 with --order 2)."""

    def go() -> None:
        from ..study.generators import n_minus_k

        kind_list = tuple(k.strip() for k in kinds.split(",") if k.strip())
        net = network_from(file)
        _execute(
            f"n-{order}",
            net,
            scenario,
            lambda b: n_minus_k(b.cn, order, kind_list),
            {"order": order, "kinds": list(kind_list), "description": f"N-{order} outages of {', '.join(kind_list)}"},
            _output(output, f"n-{order}"),
            workers,
            scheduler,
            dask,
            resume,
            overwrite,
            batch_size,
            shed,
            progress,
            plots,
            top,
            overlay,
        )

    guard(go)


@study_app.command("sweep")
def sweep_cmd(
    file: FileArg = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="KEY=START:STOP:N or KEY=V1,V2; KEY is demand_scale, supply_scale, "
            "demand:<category> or <component>.<field>; give one or two",
        ),
    ] = None,
    scenario: ScenarioOpt = None,
    overlay: OverlayOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="study folder (default study-sweep)")] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    dask: DaskOpt = False,
    resume: ResumeOpt = False,
    overwrite: OverwriteOpt = False,
    batch_size: BatchOpt = None,
    shed: ShedOpt = True,
    progress: ProgressOpt = True,
    plots: PlotsOpt = True,
) -> None:
    """Sweep one or two parameters over ranges (e.g. --param demand_scale=0.8:1.3:11)."""

    def go() -> None:
        from ..errors import InputError
        from ..study.generators import SweepAxis, sweep

        if not param:
            raise InputError("give one or two --param KEY=START:STOP:N (e.g. --param demand_scale=0.8:1.3:11)")
        axes = [SweepAxis.parse(p) for p in param]
        net = network_from(file)
        _execute(
            "sweep",
            net,
            scenario,
            lambda b: sweep(net, axes),
            {"params": list(param), "description": "sweep of " + " x ".join(a.key for a in axes)},
            _output(output, "sweep"),
            workers,
            scheduler,
            dask,
            resume,
            overwrite,
            batch_size,
            shed,
            progress,
            plots,
            15,
            overlay,
        )

    guard(go)


@study_app.command("montecarlo")
def montecarlo_cmd(
    file: FileArg = None,
    cases: Annotated[int, typer.Option("--cases", "-n", help="number of random cases")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same cases)")] = 0,
    model: Annotated[
        Path | None, typer.Option("--model", help="YAML/JSON of distributions (default: documented assumptions)")
    ] = None,
    scenario: ScenarioOpt = None,
    overlay: OverlayOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="study folder (default study-montecarlo)")
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    dask: DaskOpt = False,
    resume: ResumeOpt = False,
    overwrite: OverwriteOpt = False,
    batch_size: BatchOpt = None,
    shed: ShedOpt = True,
    progress: ProgressOpt = True,
    plots: PlotsOpt = True,
) -> None:
    """Random demand per sink class, LNG cargo delays and field decline, reproducible from --seed."""

    def go() -> None:
        from ..study.montecarlo import MonteCarloModel, montecarlo

        mc = MonteCarloModel.load(model) if model is not None else MonteCarloModel()
        net = network_from(file)
        _execute(
            "montecarlo",
            net,
            scenario,
            lambda b: montecarlo(net, b.cn, cases, seed, mc),
            {
                "cases": cases,
                "seed": seed,
                "model": mc.model_dump(mode="json"),
                "description": f"{cases} draws, seed {seed}",
            },
            _output(output, "montecarlo"),
            workers,
            scheduler,
            dask,
            resume,
            overwrite,
            batch_size,
            shed,
            progress,
            plots,
            15,
            overlay,
        )

    guard(go)


@study_app.command("report")
def report_cmd(
    output: Annotated[Path, typer.Argument(help="study folder")],
    top: TopOpt = 15,
    plots: PlotsOpt = True,
) -> None:
    """Print (and rewrite) the report of a stored study."""

    def go() -> None:
        from ..study.store import ResultStore

        _print_report(ResultStore(output), top, plots)

    guard(go)
