"""The `sweepbridge` command line (also `python -m sweepbridge`).

Exit status: 0 success, 1 invalid input (a bad source, an untranslatable feature, an invalid sweep
file), 2 usage errors. Results go to stdout, warnings and errors to stderr, one line each; --debug
adds the traceback. Heavy modules are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

OK, INVALID, USAGE = 0, 1, 2

EXAMPLES = {
    "convert": """\
examples:
  sweepbridge convert space.py                  # the global `sweep` (or the only SweepConfig/Tuner/space)
  sweepbridge convert space.py:search_space --method bayes --metric loss --program train.py
  sweepbridge convert tune_spec.yaml -o sweep.yaml
  sweepbridge convert tune_spec.yaml --format json --strict

SOURCE kinds:
  file.py:NAME   run file.py, convert its global NAME
  file.py        run file.py, then convert:
{rule}
  file.yaml      a tune spec (schemas/tune-spec.schema.json), e.g.
                   program: train.py
                   metric: loss
                   mode: min
                   num_samples: 20
                   param_space:
                     lr: {{loguniform: [1.0e-4, 1.0e-1]}}
                     layers: {{randint: [1, 5]}}      # 1..4: upper bound excluded, as in Ray
                 or a 2020 W&B beta file (a `tune:` mapping), or a W&B sweep config (`method` /
                 `parameters` and no tune-spec key: validated and written out as it is)
A global may hold a SweepConfig (e.g. tune.run's result), a Tuner (.to_sweep() is called), a W&B
sweep config dict, or a bare search space (translated by sweepbridge.to_sweep with --method etc.).
The file runs with __name__ == "__sweepbridge__": its `if __name__ == "__main__":` block is skipped.""",
    "validate": """\
examples:
  sweepbridge validate sweep.yaml
  sweepbridge validate sweeps/*.yaml && wandb sweep sweeps/main.yaml

Prints one line per problem, `FILE: parameter.path: problem`, on stdout; a summary on stderr.
A misspelled key or name is reported with the nearest valid one ("did you mean `distribution`?").
A tune spec or a 2020 beta `tune:` file is recognised (said on stderr) and validated as what it is:
its own schema, then its translation (`sweepbridge convert FILE` writes the W&B sweep).
Exit 0 when every file is valid, 1 otherwise.""",
    "compat": """\
examples:
  sweepbridge compat
  sweepbridge compat --format markdown > COMPAT.md
  sweepbridge compat --format json | python -c 'import json,sys; print(len(json.load(sys.stdin)))'""",
    "preview": """\
examples:
  sweepbridge preview sweep.yaml
  sweepbridge preview sweep.yaml -n 20 --seed 7 --format json

Needs W&B's sweep engine: pip install 'sweepbridge[preview]'. grid shows the engine's enumeration;
random shows seeded draws; bayes is random until runs have reported the metric, so it shows random
draws too (with a note on stderr).""",
    "check": """\
examples:
  sweepbridge check space.py                       # the translation of space.py against hyperopt / Ray Tune
  sweepbridge check space.py --against sweep.yaml  # a sweep file you wrote against the space it should sample
  sweepbridge check sweep.yaml --plot check.png    # a W&B sweep against its reverse translation (hyperopt)
  sweepbridge check tune_spec.yaml -n 5000 --seed 1

Per parameter: N draws from the source library and from W&B's engine, compared by the full probability
table (chi-square) or the two-sample KS test, total variation and Python types. Exit 1 when a parameter
fails: p < 0.001/k for k parameters (0.001 for the sweep), differing types, or a value one side
draws too often to be absent by chance at N (a binomial tail, corrected for the number of values)
that the other never draws.
--plot draws every parameter; wide numeric ranges are binned, on a log axis when they span decades.
Needs the libraries it samples (sweeps, scipy, and hyperopt or ray); --plot needs matplotlib.""",
    "run": """\
examples:
  sweepbridge run sweep.yaml --count 5                # W&B's engine picks, runs go to ./wandb (offline)
  sweepbridge run examples/hyperopt_search.py --count 10 --jobs 2 --out results/
  wandb sync wandb/offline-run-*                      # upload the runs later
  sweepbridge run sweep.yaml --count 5 --mode online  # logged in: the runs form a W&B sweep

SWEEP is a W&B sweep file or anything `convert` accepts (it is translated first). A Ray Tune script
(`from ray import tune` or sweepbridge's) runs as written: its first Tuner.fit / tune.run is the
experiment, run here (no Ray cluster; --engine auto picks W&B's engine or its sweep scheduler), and the
rest of the script gets the ResultGrid (docs/ray-scripts.md). Trials start as
the wandb agent starts them (the sweep's program/command, its environment and config file), log
offline with the real wandb client, and are stopped by the sweep's early_terminate (SIGTERM, SIGKILL
after WANDB_AGENT_KILL_DELAY). Results: OUT/results.jsonl (one line per run) and results.csv.
--mode online (after `wandb login`): the runs log to W&B, in a W&B sweep with a local controller
(created on W&B's server, scheduled by this command); the output ends with the sweep's URL.
Ctrl-C stops the running trials and keeps the results; `sweepbridge run --resume OUT` continues the
sweep after Ctrl-C or a crash (every earlier run told to W&B's engine; --count counts them all). A
failed run shows its last error lines and its log as it ends; the first finished run must have logged
the sweep's metric (else the sweep stops there, with the closest logged name). OUT holds one sweep,
used by one runner at a time.

exit status: 0 the sweep ended normally with at least one finished run; 1 an error before the first
trial (invalid sweep, a busy or used --out, the trials' interpreter cannot find wandb, online without a
login) or while writing results (a full disk); 3 the failure rule (wandb agent's) stopped the sweep;
4 no run finished; 5 the first finished run never logged the sweep's metric; 130 interrupted.""",
    "trial": """\
The command a W&B agent runs for a Ray Tune trainable (tune.run / Tuner write it into the sweep's
`command`); you rarely type it. One W&B run per process: wandb.init() picks up the sweep's
parameters, the trainable gets Ray's config, every report is one run.log row.

examples:
  sweepbridge trial train.py --trainable train_fn --metric loss
  python -m sweepbridge trial mypkg.train --trainable MyTrainable \\
      --stop '{{"criteria": {{"training_iteration": 10}}}}'""",
    "sync": """\
examples:
  sweepbridge run sweep.yaml --count 20 --out results/   # offline
  sweepbridge sync results/ --project my-project          # later, with a login: a W&B sweep

Creates the sweep on W&B (as `wandb sweep --controller`), uploads every run of DIR into it with
wandb's own sync (config, history, summary, files), marks the sweep finished when the local sweep
ended by itself, and prints the sweep's URL. Run it again after more runs, or after a network failure:
it uploads only what is not there yet (DIR/sync.json records what was sent). Exit 1 when a run could
not be uploaded (rerun to retry) or without a W&B login.""",
    "reverse": """\
examples:
  sweepbridge reverse sweep.yaml --to tune > tune_space.py
  sweepbridge reverse sweep.yaml --to hyperopt -o hyperopt_space.py""",
}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


def _debug_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks and third-party warnings"
    )


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .sources import LOOKUP_RULE

    parser = _Parser(
        prog="sweepbridge",
        description="Translate Ray Tune / hyperopt search spaces into W&B sweep configs exactly, and back.",
        epilog="examples:\n  sweepbridge convert tune_spec.yaml -o sweep.yaml\n  sweepbridge preview sweep.yaml\n"
        "  wandb sweep sweep.yaml\n\nRun 'sweepbridge COMMAND --help' for each command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sweepbridge {__version__}")
    _debug_flag(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=_Parser)

    def command(name: str, help_text: str, **fmt: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EXAMPLES[name].format(**fmt),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _debug_flag(p)
        return p

    rule = textwrap.fill(LOOKUP_RULE, width=80, initial_indent=" " * 17, subsequent_indent=" " * 17)
    p = command("convert", "Translate a Python source or a tune spec into a W&B sweep config.", rule=rule)
    p.add_argument(
        "source",
        metavar="SOURCE",
        help="file.py, file.py:NAME, or a tune spec, 2020 beta or W&B sweep file (.yaml/.json)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout")
    p.add_argument("--format", choices=("yaml", "json"), help="output format (default: yaml; json for -o *.json)")
    p.add_argument("--allow-approximate", action="store_true", help="accept approximate-opt-in translations (warned)")
    p.add_argument("--strict", action="store_true", help="treat ApproximationWarnings as errors")
    space = p.add_argument_group("options for a bare search space (an error with any other source)")
    space.add_argument("--method", choices=("random", "grid", "bayes"))
    space.add_argument("--metric", metavar="NAME")
    space.add_argument("--goal", choices=("minimize", "maximize"))
    space.add_argument("--program", metavar="SCRIPT")
    space.add_argument("--name", metavar="NAME")
    space.add_argument("--run-cap", type=int, metavar="N")
    p.add_argument(
        "--engine",
        choices=("wandb", "optuna", "ax", "auto"),
        help="wandb (default): W&B's own engine; optuna: W&B's sweep scheduler (method custom + a generated "
        "scheduler source written beside -o FILE as <stem>_scheduler.py); ax: the same with its Ax engine "
        "(AxSearch); auto: wandb where it is exact, else optuna or ax (says which). Reaches every tune.run / "
        "Tuner / to_sweep the file builds, over its own engine= (said)",
    )
    p.set_defaults(run=cmd_convert)

    p = command("validate", "Check W&B sweep config files: our schema plus W&B's engine rules.")
    p.add_argument("files", metavar="FILE", nargs="+", help="W&B sweep config files (.yaml/.yml/.json), or tune specs")
    p.set_defaults(run=cmd_validate)

    p = command("compat", "Show the compatibility table (source feature → W&B construct, fidelity).")
    p.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    p.set_defaults(run=cmd_compat)

    p = command("preview", "Show the first configs W&B's engine would schedule for a sweep file.")
    p.add_argument("file", metavar="FILE", help="a W&B sweep config file")
    p.add_argument("-n", type=_positive, default=10, metavar="N", help="how many configs (default 10)")
    p.add_argument("--seed", type=_seed, default=0, metavar="S", help="random seed, 0 to 2**32 - 1 (default 0)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=cmd_preview)

    p = command("check", "Sample the source library and W&B's engine per parameter and test that they agree.")
    p.add_argument("source", metavar="SOURCE", help="as for convert (file.py[:NAME], a tune spec), or a W&B sweep file")
    p.add_argument("--against", metavar="SWEEP", help="check this W&B sweep file instead of SOURCE's translation")
    p.add_argument("--to", choices=("hyperopt", "tune"), help="W&B sweep SOURCE: reverse translation to sample")
    p.add_argument("-n", type=_positive, default=20_000, metavar="N", help="draws per side (default 20,000)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--plot", metavar="FILE.png", help="write a histogram per parameter, source and W&B overlaid")
    p.set_defaults(run=cmd_check)
    p = command("run", "Run a sweep on this machine: W&B's engine schedules, the real wandb client logs.")
    p.add_argument(
        "sweep", metavar="SWEEP", nargs="?", help="a W&B sweep file, or a source `convert` accepts (not with --resume)"
    )
    p.add_argument(
        "--count", type=_positive, metavar="N", help="at most N runs (and the sweep's run_cap; resumed: in all)"
    )
    p.add_argument(
        "--jobs",
        type=_positive,
        metavar="K",
        help="trials at once (default 1, ≤ CPU count; resumed: as many as the sweep ran with, unless given)",
    )
    p.add_argument("--project", metavar="P", help="W&B project of the runs")
    p.add_argument(
        "--mode",
        choices=("offline", "online", "disabled"),
        help="wandb mode (default offline; online needs `wandb login` and makes the runs a W&B sweep "
        "with a local controller: this command schedules it)",
    )
    p.add_argument("--out", metavar="DIR", help="results directory (default: wandb/sweep-ID)")
    p.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the sweep whose results directory is DIR after its runner was interrupted or killed",
    )
    p.add_argument("--max-failures", type=_positive, metavar="M", help="agent's limit on failures at the start (5)")
    p.add_argument(
        "--interpreter",
        metavar="PATH",
        help="the Python that ${interpreter} in the sweep's command runs (default: python from PATH, as the agent)",
    )
    p.add_argument(
        "--allow-missing-metric",
        action="store_true",
        help="run on when the first finished run never logged the sweep's metric",
    )
    p.add_argument(
        "--cold",
        action="store_true",
        help="start every trial in a new interpreter, as the wandb agent (default: a fork of a warm template)",
    )
    p.add_argument(
        "--engine",
        choices=("wandb", "optuna", "ax", "auto"),
        help="for a Python SWEEP: auto (default) runs W&B's engine where it is exact, else W&B's sweep scheduler "
        "(saying which and why); wandb / optuna / ax force one. Reaches every tune.run / Tuner / to_sweep the "
        "file builds, over its own engine= (said)",
    )
    p.set_defaults(run=cmd_run)

    p = command("sync", "Make an offline sweep (a `run` results directory) a W&B sweep holding its runs.")
    p.add_argument("dir", metavar="DIR", help="the results directory (--out) of `sweepbridge run`")
    p.add_argument("--project", metavar="P", help="W&B project of the sweep (default: the runs', else wandb's)")
    p.add_argument("--entity", metavar="E", help="W&B entity of the sweep (default: wandb's)")
    p.set_defaults(run=cmd_sync)

    p = command("reverse", "Print runnable hyperopt or Ray Tune source for a W&B sweep file.")
    p.add_argument("file", metavar="FILE", help="a W&B sweep config file")
    p.add_argument("--to", choices=("hyperopt", "tune"), required=True, help="target library")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout")
    p.set_defaults(run=cmd_reverse)

    p = command("trial", "Run a Ray Tune trainable as one W&B sweep run (the command the agent starts).")
    from .trial_command import TrialCommand

    TrialCommand.add_arguments(p)
    p.set_defaults(run=cmd_trial)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**32 - 1 (numpy's seed range), got {value}")
    return value


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def one_line(text: str) -> str:
    """A possibly multi-line message as one line: continuation lines joined with '; '."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if not lines:
        return ""
    head, rest = lines[0], lines[1:]
    return head + (" " + "; ".join(rest) if rest else "")


# --- commands ---------------------------------------------------------------------------------


def cmd_convert(args: argparse.Namespace) -> int:
    from .sources import load_source

    options = {
        "method": args.method,
        "metric": args.metric,
        "goal": args.goal,
        "program": args.program,
        "name": args.name,
        "run_cap": args.run_cap,
    }
    engine = getattr(args, "engine", None)
    from .script_run import script_sweep

    sweep = load_source(
        args.source, allow_approximate=args.allow_approximate, space_options=options, engine=engine, script=script_sweep
    )
    if sweep.scheduler_source is not None and not args.output:
        _err("error: a method: custom sweep is two files (config + scheduler source): pass -o sweep.yaml")
        return USAGE
    if args.output:
        sweep.save(args.output, format=args.format)
        _err(f"wrote {args.output}")
    else:
        _out(sweep.to_json() if args.format == "json" else sweep.to_yaml())
    return OK


def _read_sweep(path: str) -> Any:
    from .sweep_config import SweepConfig

    return SweepConfig.load(path)


NOT_A_SWEEP = {
    "tune spec": "a tune spec (a Ray Tune experiment as data), not a W&B sweep file: validated as a tune spec "
    "(its schema, then its translation); `sweepbridge convert {path} -o sweep.yaml` writes its W&B sweep.",
    "beta": "a file in W&B's 2020 beta `tune:` format, not a W&B sweep file: validated by translating it; "
    "`sweepbridge convert {path} -o sweep.yaml` writes its W&B sweep.",
}
"""What `validate` says of a file that is another kind of source it knows (on stderr)."""


def file_kind(data: Any) -> str:
    """'tune spec', 'beta' or 'sweep': what a parsed YAML/JSON file holds."""
    from . import tune_beta

    if isinstance(data, dict) and "param_space" in data and not {"parameters", "method"} & data.keys():
        return "tune spec"
    return "beta" if tune_beta.is_beta(data) else "sweep"


def _source_problems(kind: str, data: Any) -> list[str]:
    """A tune spec's or beta file's problems: its own rules, then its translation's."""
    import warnings

    from . import tune_beta, tune_spec
    from .errors import ApproximationWarning, SweepBridgeError

    problems = tune_spec.problems(data) if kind == "tune spec" else []
    if problems:
        return problems
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ApproximationWarning)  # validate reports errors only
            if kind == "tune spec":
                run, call_args, kwargs = tune_spec.to_call(data)
                run(*call_args, **kwargs)
            else:
                tune_beta.convert(data)
    except SweepBridgeError as exc:
        return [str(exc)]
    return []


def file_problems(path: str) -> tuple[list[str], str | None]:
    """(problems, a note on what the file is when it is not a W&B sweep) of one file for `validate`."""
    from .errors import SweepBridgeError
    from .sweep_config import parse_text, read_text

    try:
        data = parse_text(read_text(path))
        kind = file_kind(data)
        if kind != "sweep":
            return _source_problems(kind, data), NOT_A_SWEEP[kind].format(path=path)
        return _read_sweep(path).problems(), None
    except SweepBridgeError as exc:
        return [str(exc)], None


def cmd_validate(args: argparse.Namespace) -> int:
    invalid = problems_total = 0
    for path in args.files:
        problems, note = file_problems(path)
        if note:
            _err(f"{path}: {note}")
        for problem in problems:
            _out(f"{path}: {one_line(problem)}")
        invalid += bool(problems)
        problems_total += len(problems)
    n = len(args.files)
    summary = f"{n} file{'s' * (n != 1)} checked: " + (
        f"{invalid} invalid ({problems_total} problem{'s' * (problems_total != 1)})" if invalid else "all valid"
    )
    _err(summary)
    return INVALID if invalid else OK


def cmd_compat(args: argparse.Namespace) -> int:
    from . import compat

    if args.format == "json":
        import json

        _out(json.dumps([r.as_dict() for r in compat.compat_table()], indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        _out(compat.markdown())
    else:
        _out(compat.text_table())
    return OK


def cmd_preview(args: argparse.Namespace) -> int:
    from . import preview
    from .errors import SpecError

    sweep = _read_sweep(args.file)
    problems = sweep.problems()
    if problems:
        raise SpecError(f"{args.file} is not a valid sweep config: " + "; ".join(problems))
    configs = preview.engine_configs(sweep, args.n, seed=args.seed)
    if sweep.get("method") == "bayes":
        _err(preview.BAYES_NOTE)
    if args.format == "json":
        import json

        _out(json.dumps(configs, indent=2, ensure_ascii=False))
    else:
        _out(preview.table(sweep, configs))
    if sweep.get("method") == "grid" and len(configs) < args.n:
        _err(f"note: the grid has {len(configs)} point{'s' * (len(configs) != 1)}; all are shown.")
    return OK


def cmd_check(args: argparse.Namespace) -> int:
    from . import check

    subject = check.load(args.source, against=args.against, to=args.to)
    rows = check.run(subject, args.n, args.seed)
    _out(check.table(rows))
    if args.plot:
        check.plot(rows, args.plot, title=f"sweepbridge check {args.source}", source=subject.library)
        _err(f"wrote {args.plot}")
    _err(check.summary(rows, args.n, subject.sweep.get("method") == "grid"))
    return OK if all(r.ok for r in rows) else INVALID


def cmd_run(args: argparse.Namespace) -> int:
    from .runner import run_sweep
    from .runner.display import TextDisplay, leaderboard
    from .runner.metric import MissingMetricError

    if args.sweep is None and args.resume is None:
        from .errors import SpecError

        raise SpecError("sweepbridge run needs a SWEEP file or source, or --resume DIR.")
    from .experiment import RunOptions

    options = RunOptions(
        count=args.count,
        jobs=args.jobs,
        mode=args.mode,
        project=args.project,
        out=args.out,
        max_failures=args.max_failures,
        display=TextDisplay(live=sys.stderr.isatty(), show_leaderboard=False),
        interpreter=args.interpreter,
        allow_missing_metric=args.allow_missing_metric,
        warm=not args.cold,
    )
    try:
        outcome = _run_script(args, options) if args.resume is None else None
        if outcome is None:
            outcome = run_sweep(args.sweep, resume=args.resume, **options.keywords())
    except MissingMetricError as exc:
        outcome = exc.outcome
        if outcome is None:
            raise
    _out(leaderboard(outcome))
    if outcome.missing_metric:
        _err(f"error: {outcome.missing_metric}")
    elif outcome.failure_rule:
        _err(f"error: the sweep was stopped: {outcome.reason}")
    from .runner.results import relative_path

    if outcome.interrupted:
        _err(f"continue the sweep with: sweepbridge run --resume {relative_path(outcome.out_dir)}")
    if outcome.mode == "offline" and outcome.run_dirs:
        _err(f"make it a W&B sweep (logged in): sweepbridge sync {relative_path(outcome.out_dir)}")
    return outcome.exit_status


def cmd_sync(args: argparse.Namespace) -> int:
    from .runner.sync import sync_sweep

    outcome = sync_sweep(args.dir, project=args.project, entity=args.entity, log=_err)
    parts = [f"{len(outcome.uploaded)} runs uploaded"]
    if outcome.already:
        parts.append(f"{len(outcome.already)} uploaded before")
    if outcome.failed:
        parts.append(f"{len(outcome.failed)} failed (rerun `sweepbridge sync {args.dir}` to retry)")
    if outcome.missing:
        parts.append(f"{len(outcome.missing)} without a run directory: {', '.join(outcome.missing)}")
    _err("; ".join(parts) + ("; the W&B sweep is finished" if outcome.ended else ""))
    _out(outcome.url or outcome.sweep.path)
    return INVALID if outcome.failed else OK


def _run_script(args: argparse.Namespace, options: Any) -> Any:
    """A Python SWEEP without :NAME runs as written (sweepbridge.script_run): the outcome of its experiment
    (or of the sweep it defines); None for other sources."""
    from .sources import split_source

    path, name = split_source(args.sweep)
    if path.suffix.lower() != ".py":
        return None
    from .experiment import run_sweep_config
    from .script_run import run_script

    engine = getattr(args, "engine", None)  # None: auto (W&B's engine where exact, else the scheduler)
    if name is not None:
        from . import engine_choice
        from .sources import load_source

        with engine_choice.default("auto"):
            sweep = load_source(args.sweep, engine=engine)
        return run_sweep_config(sweep, options)
    return run_script(path, options, engine=engine)


def cmd_reverse(args: argparse.Namespace) -> int:
    from .reverse import render_python

    sweep = _read_sweep(args.file)
    source = render_python(sweep, target=args.to)
    if args.output:
        from pathlib import Path

        from .sweep_config import write_atomic

        write_atomic(Path(args.output), source if source.endswith("\n") else source + "\n")
        _err(f"wrote {args.output}")
    else:
        _out(source)
    return OK


def cmd_trial(args: argparse.Namespace) -> int:
    from .runtime.trial import run
    from .trial_command import TrialCommand

    return run(TrialCommand.from_args(args))


# --- entry point ------------------------------------------------------------------------------


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace, debug: bool) -> int:
    """Run a command with warnings captured: ApproximationWarnings → stderr lines, or errors (--strict)."""
    import warnings

    from .errors import ApproximationWarning

    with warnings.catch_warnings(record=True) as caught:
        if not debug:
            warnings.simplefilter("ignore")
        warnings.simplefilter("error" if getattr(args, "strict", False) else "always", ApproximationWarning)
        try:
            return func(args)
        finally:
            for w in caught:
                if issubclass(w.category, ApproximationWarning):
                    _err(f"warning: {one_line(str(w.message))}")
                else:
                    _err(f"warning: {w.category.__name__}: {one_line(str(w.message))} ({w.filename}:{w.lineno})")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweepbridge command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False)
    from .errors import ApproximationWarning, SweepBridgeError

    try:
        status = _run(args.run, args, debug)
        sys.stdout.flush()
        return status
    except ApproximationWarning as exc:
        if debug:
            _print_traceback()
        _err(f"error: --strict: {one_line(str(exc))}")
        return INVALID
    except SweepBridgeError as exc:
        from .sources import SourceUsageError

        if debug:
            _print_traceback()
        _err(f"error: {one_line(str(exc))}")
        return USAGE if isinstance(exc, SourceUsageError) else INVALID
    except BrokenPipeError:
        _quiet_stdout()
        return OK
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as exc:  # a bug, or an environment problem: one line, --debug for the rest
        if debug:
            _print_traceback()
        _err(f"error: {type(exc).__name__}: {one_line(str(exc))} (rerun with --debug for the traceback)")
        return INVALID


def _print_traceback() -> None:
    import traceback

    traceback.print_exc(file=sys.stderr)


def _quiet_stdout() -> None:
    """After a closed pipe (`sweepbridge compat | head`): silence the interpreter's final flush."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
