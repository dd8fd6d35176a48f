"""The sweep loop: W&B's optimizer asks for runs, trials start as the agent starts them, each run's
state and metric history go back to the optimizer as W&B's server reports them, and the runs it
stops early receive SIGTERM and, after the agent's grace period, SIGKILL."""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import SpecError
from .chains import CHECKPOINT_MARK, HISTORY_KEYS, lineage, pbt_population, pbt_storage
from .display import Display, NullDisplay
from .engine import Engine, RunReport
from .failures import FailureRule
from .history import RunLog, find_log
from .launch import (
    RUNNER_ENV,
    FunctionTrial,
    ProcessTrial,
    Trial,
    TrialSpec,
    Watchdog,
    command_line,
    open_output,
    uses_program,
    wandb_dir,
    write_config,
)
from .metric import missing_metric
from .online import OnlineSweep
from .resources import GpuPool
from .results import SWEEP_FILE, ResultsStore, ResultsWriteError, RunResult, relative_path, small_summary
from .resume import Journal, Resume, RunnerState
from .warm import Launcher, finish_abandoned_run, shared_service

MODES = ("offline", "online", "disabled")
POLL_SECONDS = 0.1
"""The loop's longest wait: it wakes at once when a trial ends, else after this to read running runs."""

EXIT_OK, EXIT_ERROR, EXIT_FAILURES, EXIT_NO_RUN_FINISHED, EXIT_METRIC, EXIT_INTERRUPTED = 0, 1, 3, 4, 5, 130
"""`sweepbridge run`'s exit status (SweepOutcome.exit_status): 0 the sweep ended normally with at least one
finished run; 1 an error before the first trial (pre-flight) or while writing results; 3 the failure rule
stopped the sweep; 4 no run finished (every run failed, crashed or was stopped); 5 the first finished run
never logged the sweep's metric; 130 interrupted (Ctrl-C, SIGTERM)."""


def default_grace() -> float:
    """The agent's delay between SIGTERM and SIGKILL for a stopped run (WANDB_AGENT_KILL_DELAY)."""
    import wandb
    from wandb.wandb_agent import Agent

    return float(wandb.env.get_agent_kill_delay(Agent.KILL_DELAY))


@dataclass
class Active:
    trial: Trial
    opt_id: str
    log: RunLog
    started: float
    stopped_at: int | None = None
    judged: int = 0
    """History rows early termination has judged (`SweepRunner._early_terminate`)."""


@dataclass
class SweepOutcome:
    """What `run_sweep` returns: the results (in finishing order) and where they are."""

    sweep_id: str
    results: list[RunResult]
    out_dir: Path
    run_dirs: list[str]
    reason: str
    goal: str = "minimize"
    metric: str | None = None
    interrupted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    mode: str = "offline"
    online: OnlineSweep | None = None
    """Online: the W&B sweep (local controller) the runs joined."""
    online_ended: bool = False
    """Online: the runner ended the W&B sweep as wandb's local controller ends a finished search."""
    failure_rule: bool = False
    """The agent's failure rule stopped the sweep (`reason` says which check)."""
    missing_metric: str | None = None
    """The first finished run never logged the sweep's metric: the message (the sweep was stopped there)."""
    metrics: list[str] = field(default_factory=list)
    """Every metric of a multi-objective sweep (W&B's `metrics`), in order; [] for one metric."""
    goals: list[str] = field(default_factory=list)
    """Their goals, in the same order."""

    def pareto(self) -> list[RunResult]:
        """A multi-objective sweep's Pareto set (runner.pareto: Optuna's best_trials rule); [] for one metric."""
        from .pareto import front

        return front(self.results, self.metrics, self.goals) if len(self.metrics) > 1 else []

    @property
    def exit_status(self) -> int:
        """`sweepbridge run`'s exit status (see EXIT_OK and the others)."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.missing_metric:
            return EXIT_METRIC
        if self.failure_rule:
            return EXIT_FAILURES
        if not any(r.state == "finished" for r in self.results):
            return EXIT_NO_RUN_FINISHED
        return EXIT_OK

    project: str | None = None
    """The runs' W&B project (None: wandb's default, `uncategorized` offline)."""
    entity: str | None = None
    """The runs' W&B entity (None: wandb's default)."""

    @property
    def url(self) -> str | None:
        """Online: the W&B sweep's page."""
        return self.online.url if self.online else None

    def best(self, n: int = 5) -> list[RunResult]:
        """The top `n` runs by the sweep metric: finished runs and runs stopped early, with a value
        (failed and crashed runs never rank)."""
        sign = -1.0 if self.goal == "maximize" else 1.0
        scored = [r for r in self.results if r.ranks]
        return sorted(scored, key=lambda r: sign * r.metric)[:n]  # type: ignore[operator]

    def sync_command(self) -> str | None:
        """The command that uploads the offline runs (as plain runs of the project); None unless offline."""
        if self.mode != "offline":
            return None
        if not self.run_dirs:
            return None
        import shlex

        where = "".join(
            f" --{k} {shlex.quote(v)}" for k, v in (("project", self.project), ("entity", self.entity)) if v
        )
        return f"wandb sync{where} {' '.join(self.run_dirs)}"

    def prior_run_command(self) -> str | None:
        """After `wandb sync`: create a W&B sweep holding these runs, to continue with `wandb agent`."""
        ids = [r.id for r in self.results if r.run_dir and self.mode == "offline"]
        sweep_file = relative_path(self.out_dir / SWEEP_FILE)
        return f"wandb sweep {' '.join(f'--prior_run {i}' for i in ids)} {sweep_file}" if ids else None


class SweepRunner:
    """Runs one validated sweep config on this machine (see `sweepbridge.run_sweep`)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        count: int | None = None,
        jobs: int = 1,
        function: Callable[[], Any] | None = None,
        mode: str = "offline",
        project: str | None = None,
        entity: str | None = None,
        out: str | os.PathLike[str] | None = None,
        max_failures: int | None = None,
        grace: float | None = None,
        base: Path | None = None,
        display: Display | None = None,
        interpreter: str | None = None,
        allow_missing_metric: bool = False,
        warm: bool = True,
        resume: Resume | None = None,
    ) -> None:
        from .engine import check_wandb, resolve_source

        check_wandb()
        if mode not in MODES:
            raise SpecError(f"mode must be one of {', '.join(MODES)}, got {mode!r}.")
        if mode == "online":
            from .online import require_login

            require_login()
        cpus = os.cpu_count() or 1
        if not isinstance(jobs, int) or not 1 <= jobs <= cpus:
            raise SpecError(f"jobs must be between 1 and the CPU count ({cpus}), got {jobs!r}.")
        if function is not None and jobs != 1:
            raise SpecError("function= runs trials in this process, one at a time (as wandb.agent): use jobs=1.")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise SpecError(f"count must be a positive integer, got {count!r}.")
        self.config = resolve_source(config, base)
        self.function = function
        if interpreter is not None and (not isinstance(interpreter, str) or not interpreter.strip()):
            raise SpecError(f"interpreter must be a path or a command name, got {interpreter!r}.")
        self.interpreter = interpreter or "python"
        """What `${interpreter}` in the sweep's command becomes (the agent's: `python` from PATH)."""
        self.allow_missing_metric = allow_missing_metric
        self.population = pbt_population(self.config)
        """A sweepbridge-generated PBT scheduler's population size (None for other sweeps)."""
        storage = pbt_storage(self.config)
        if storage is not None and storage.startswith("wandb://") and mode != "online":
            raise SpecError(
                f"this PBT sweep keeps its checkpoints as W&B artifacts (storage {storage}), which needs online runs: "
                f"run it with --mode online (mode={mode!r} here), or translate it with RunConfig(storage_path=...) "
                "a directory (or a URI pyarrow can open) instead of wandb://."
            )
        self.jobs_asked = jobs
        if self.population is not None and jobs > self.population:
            jobs = self.population  # an ask beyond the population gets no run, which ends W&B's scheduler's sweep
        self.jobs = jobs
        self.mode = mode
        self.resume = resume
        self.count = count
        self.base_dir = resume.state.wandb_dir if resume and resume.state.wandb_dir else wandb_dir()
        run_cap = self.config.get("run_cap")
        caps = [c for c in (count, run_cap) if isinstance(c, int) and c > 0]
        self.budget = min(caps) if caps else math.inf
        if max_failures is not None and (not isinstance(max_failures, int) or max_failures < 1):
            raise SpecError(f"max_failures must be a positive integer, got {max_failures!r}.")
        self.max_failures = max_failures
        self.grace = default_grace() if grace is None else grace
        self.display = display or NullDisplay()
        self.warm = warm
        self.launcher: Launcher | None = None
        self.extra_env = dict(RUNNER_ENV, WANDB_MODE=mode)
        self.project, self.entity = project, entity
        if project:
            self.extra_env["WANDB_PROJECT"] = project
        if entity:
            self.extra_env["WANDB_ENTITY"] = entity
        self._check_program()
        self.gpus = self._place_trials()
        if out is not None and resume is None:  # before anything is created (online: the W&B sweep); run() locks it
            ResultsStore.refuse_used(Path(out))
        from wandb.sdk.lib.runid import generate_id

        self.online: OnlineSweep | None = None
        if mode == "online" and resume is not None and resume.state.online:  # the sweep already exists on W&B
            self.online = OnlineSweep(**resume.state.online)
            self.extra_env.update(self.online.env())
            project, entity = self.online.project, self.online.entity
        elif mode == "online":  # a W&B sweep with a local controller: this runner schedules it
            from .online import create_sweep

            self.online = create_sweep(self.config, project=project, entity=entity)
            self.extra_env.update(self.online.env())
            project, entity = self.online.project, self.online.entity
        self.sweep_id = self.online.id if self.online else resume.state.sweep_id if resume else generate_id()
        self.project, self.entity = project, entity
        self.engine = Engine(self.config, self.sweep_id, project=project or "", entity=entity or "")
        self.metrics = self.engine.metric_names()
        self.live = self.engine.reads_running_history(self.jobs)
        """Follow each run's log while it runs (else read it once when it ends: nothing reads it earlier)."""
        self._wake = threading.Event()
        metric = self.config.get("metric") if isinstance(self.config.get("metric"), Mapping) else {}
        objectives = self.config.get("metrics") if isinstance(self.config.get("metrics"), list) else []
        self.goals = [str(m.get("goal", "minimize")) for m in objectives if isinstance(m, Mapping)]
        self.goal = self.goals[0] if self.goals else str(metric.get("goal", "minimize"))  # ranks by the first
        self.out_dir = Path(out) if out is not None else Path(self.base_dir, "wandb", f"sweep-{self.sweep_id}")
        if resume is not None:
            self.out_dir = resume.directory
        self._journal: Journal | None = None
        self._pbt_trials: set[str] = set()
        self._waves_said = False

    def _check_program(self) -> None:
        if self.function is not None or not uses_program(self.config):
            return
        program = self.config.get("program")
        if not program:
            raise SpecError("the sweep has no `program` to run (its command uses ${program}): add program: train.py.")
        if not Path(program).is_file():
            raise SpecError(f"program {program!r} not found (relative to {os.getcwd()}), the directory trials run in.")
        from .launch import preflight

        problem = preflight(self.config, self.interpreter)
        if problem:
            raise SpecError(problem)

    def _place_trials(self) -> GpuPool | None:
        """Honour the trials' resource request (tune.with_resources, the trial command's --resources):
        fewer trials at once where CPUs or GPUs run short, GPUs handed out per trial (runner/resources.py);
        each adjustment said in one line on stderr. The GPU pool, when trials ask GPUs."""
        if self.function is not None:
            return None
        from ..trial_command import TrialCommand
        from .resources import place

        command = TrialCommand.in_sweep(self.config)
        placement = place(command.resources if command else None, self.jobs)
        notes = list(placement.notes)
        self.jobs = placement.jobs
        if placement.gpus is not None and self.warm:
            self.warm = False
            notes.append("trials start cold: each gets its own CUDA_VISIBLE_DEVICES before anything imports CUDA")
        for note in notes:
            print(f"sweepbridge: {note}", file=sys.stderr)
        return placement.gpus

    # --- one trial -------------------------------------------------------------------------------

    def _start(self, opt_id: str, config: dict[str, Any], watchdog: Watchdog | None = None) -> Active:
        from wandb.sdk.lib.runid import generate_id

        spec = TrialSpec(self.sweep_id, generate_id(), config)
        if self._journal is not None:
            self._journal.started(spec.run_id, config)
        write_config(spec, self.base_dir)
        if self.function is not None:
            trial: Trial = FunctionTrial(spec, self.function, self.base_dir, self.extra_env, self._wake.set)
        else:
            from .launch import trial_env

            argv = command_line(self.config, spec, self.base_dir, self.interpreter)
            env = trial_env(spec, self.base_dir, self.extra_env)
            if self.gpus is not None:  # the trial's own GPUs, as Ray sets them for its trial actors
                env["CUDA_VISIBLE_DEVICES"] = ",".join(self.gpus.acquire(spec.run_id))
            if self.launcher is None:
                trial = ProcessTrial(spec, argv, env, open_output(self._output(spec)), self._wake.set, watchdog)
            else:
                trial = self.launcher.start(spec, argv, env, self._output(spec), self._wake.set, watchdog)
        if self._journal is not None:
            popen = getattr(trial, "popen", None)
            self._journal.launched(spec.run_id, getattr(trial, "pid", None) or (popen.pid if popen else None))
        log = RunLog(self.metrics)
        if lineage(config) is not None:  # PBT's scheduler reads the time attributes and the published checkpoints
            log = RunLog(self.metrics, HISTORY_KEYS, marks=(CHECKPOINT_MARK,))
            self._pbt_trial(config)
        return Active(trial, opt_id, log, time.monotonic())

    def _pbt_trial(self, config: dict[str, Any]) -> None:
        """Say, once, that a PBT population larger than --jobs runs in waves (when the (jobs+1)-th trial starts,
        unless the generated scheduler's settings told the population size at the start)."""
        block = lineage(config)
        self._pbt_trials.add(str(block["trial"]) if block else "")
        if len(self._pbt_trials) > self.jobs:
            self._say_waves("more trials than")

    def _say_waves(self, how: str) -> None:
        if not self._waves_said:
            self._waves_said = True
            self.display.note(
                f"PBT: the population has {how} --jobs {self.jobs}: it runs in waves of {self.jobs} "
                "(the scheduler pauses trials and continues each later, as a new run, from its own checkpoint), "
                "as Ray runs a population larger than its CPUs."
            )

    def _announce_waves(self) -> None:
        """At the start: --jobs capped at a generated PBT scheduler's population, or the waves it runs in."""
        population = self.population
        if population is not None and self.jobs_asked > population:
            self.display.note(
                f"PBT: --jobs {self.jobs_asked} capped at the population size {population}: the generated "
                "scheduler has no run to hand out beyond its trials, and an ask that gets no run ends W&B's "
                "sweep scheduler (its trials' later continuations would never start)."
            )
        if population is not None and population > self.jobs:
            self._say_waves(f"{population} trials, more than")

    def _output(self, spec: TrialSpec) -> Path:
        return self.out_dir / "logs" / f"{spec.run_id}.log"

    def _report(self, active: Active, state: str) -> RunReport:
        history, summary = active.log.snapshot()
        return RunReport(active.trial.spec.config, state, summary, history, active.trial.spec.run_id)

    def _finish(self, active: Active, code: int) -> RunResult:
        trial = active.trial
        unread = None if active.log.started else find_log(Path(self.base_dir), trial.spec.run_id)
        unfinished = None
        if self.function is None and self.extra_env.get("WANDB_SERVICE"):  # the trial ran on the shared wandb-core
            unfinished = partial(finish_abandoned_run, trial.spec.run_id, code)
        active.log.close(wait=1.0, log=unread, unfinished=unfinished)
        trial.cleanup()
        if self.gpus is not None:
            self.gpus.release(trial.spec.run_id)
        if trial.stopped:  # W&B's state for a run forcibly stopped; `stopped_by` tells who stopped it
            state = "killed"
        elif code == 0:
            state = "finished"
        elif code > 0:
            state = "failed"
        else:
            state = "crashed"
        report = self._report(active, state)
        self.engine.tell(active.opt_id, report)
        value = report.summary.get(self.metrics[0]) if self.metrics else None
        if value is None and report.history and self.metrics:
            value = report.history[-1].get(self.metrics[0])
        log = active.log.path or find_log(Path(self.base_dir), trial.spec.run_id)
        return RunResult(
            id=trial.spec.run_id,
            config=trial.spec.config,
            state=state,
            metric=value if isinstance(value, (int, float)) and not isinstance(value, bool) else None,
            history_rows=active.log.rows,
            wall_time=time.monotonic() - active.started,
            exit_code=code,
            stopped_at=active.stopped_at,
            run_dir=relative_path(log.parent) if log is not None else None,
            output=relative_path(self._output(trial.spec)) if self.function is None else None,
            summary=small_summary(report.summary),
            stopped_by=trial.stopped_by if trial.stopped else None,
            error=trial.error() if state in ("failed", "crashed") else [],
        )

    # --- the loop --------------------------------------------------------------------------------

    def _state(self) -> RunnerState:
        """What a resume of this sweep continues with (DIR/runner.json)."""
        online = None
        if self.online is not None:
            online = {"id": self.online.id, "entity": self.online.entity, "project": self.online.project}
            online["url"] = self.online.url
        return RunnerState(
            sweep_id=self.sweep_id,
            count=self.count,
            jobs=self.jobs,
            mode=self.mode,
            project=self.project or None,
            entity=self.entity or None,
            wandb_dir=str(self.base_dir),
            online=online,
        )

    def _record(self, store: ResultsStore, result: RunResult, history: list[dict[str, Any]]) -> None:
        """A run's result into results.jsonl, then its metric history into the resume journal."""
        store.add(result)
        if self._journal is not None:
            self._journal.ended(result.id, history)

    def _resume_runs(self, store: ResultsStore) -> int:
        """A resumed sweep: every earlier run told to the engine (as W&B's scheduler warm-starts) and in
        the results; the runs the dead runner left without a result recorded (crashed). Returns their count."""
        if self.resume is None:
            return 0
        for prior in self.resume.runs:
            try:
                self.engine.tell_existing(prior.report)
            except Exception as exc:  # as W&B's scheduler's warm start: a run the optimizer rejects is skipped
                import warnings

                warnings.warn(f"the optimizer rejected earlier run {prior.result.id}: {exc}", RuntimeWarning, 2)
            if prior.recovered:
                self._record(store, prior.result, prior.report.history)
                self.display.finished(prior.result)
            else:
                store.results.append(prior.result)
        return len(self.resume.runs)

    def open_store(self) -> ResultsStore:
        """The results directory, locked for this runner (refused when another runner holds it or, unless
        this runner resumes it, it already holds a sweep), with the sweep config saved in it."""
        store = ResultsStore(self.out_dir, resume=self.resume is not None, goal=self.goal)
        from ..sweep_config import SweepConfig, write_atomic

        try:
            if self.resume is None:
                write_atomic(self.out_dir / SWEEP_FILE, SweepConfig(self.config).to_yaml())
        except BaseException:
            store.close()
            raise
        return store

    def run(self) -> SweepOutcome:
        store = self.open_store()
        state = self._state()
        state.write(self.out_dir)
        self._journal = Journal(self.out_dir)
        active: dict[str, Active] = {}
        failures = FailureRule.from_agent(self.max_failures)
        exhausted = False
        reason = "done"
        interrupted = False
        missing: str | None = None
        checked = False
        write_error: ResultsWriteError | None = None
        self.display.start(self)
        self._announce_waves()
        launched = self._resume_runs(store)
        restore = _sigterm_as_interrupt()
        environ = dict(os.environ)
        watchdog = Watchdog() if self.function is None else None
        release_service: Callable[[], None] = lambda: None  # noqa: E731
        if self.function is None:
            release_service = shared_service()
            if os.environ.get("WANDB_SERVICE"):
                self.extra_env["WANDB_SERVICE"] = os.environ["WANDB_SERVICE"]
            self.launcher = Launcher(self.warm, self.out_dir / "logs", self.display.note, self.interpreter)
        try:
            while True:
                self._wake.clear()
                now = time.monotonic()
                for key, a in list(active.items()):
                    if self.live and not a.log.started:
                        log = find_log(Path(self.base_dir), a.trial.spec.run_id)
                        if log is not None:
                            a.log.start(log)
                    code = a.trial.poll()
                    if code is None:
                        if a.trial.sigterm_at is not None and now > a.trial.sigterm_at + self.grace:
                            a.trial.kill()
                        continue
                    del active[key]
                    result = self._finish(a, code)
                    self._record(store, result, a.log.snapshot()[0])
                    self.display.finished(result)
                    failures.ended(a.trial.failed(code))
                    if not checked and result.state == "finished" and self.metrics:
                        checked = True
                        if not self.allow_missing_metric and result.metric is None:
                            missing = missing_metric(self.metrics, result.id, result.summary)
                if missing:
                    reason = f"the metric {self.metrics[0]!r} was never logged"
                    break
                if failures.reason:
                    reason = failures.reason
                    break
                self._early_terminate(active)
                if self.engine.should_terminate():
                    exhausted, reason = True, "the optimizer terminated the sweep"
                while not exhausted and len(active) < self.jobs and launched < self.budget:
                    asked = self.engine.ask(1)
                    if asked is None:
                        break
                    if not asked:
                        exhausted, reason = True, "the search space is exhausted"
                        break
                    opt_id, config = asked[0]
                    active[opt_id] = self._start(opt_id, config, watchdog)
                    launched += 1
                    self.display.started(active[opt_id].trial.spec.run_id, config)
                if not active and (exhausted or launched >= self.budget):
                    if launched >= self.budget and not exhausted:
                        reason = f"{launched} runs"
                    break
                self.display.tick(len(active), launched)
                self._wake.wait(POLL_SECONDS)
        except KeyboardInterrupt:
            interrupted, reason = True, "interrupted"
        except ResultsWriteError as exc:
            write_error, reason = exc, "the results could not be written"
        finally:
            restore()
            by = "user" if interrupted else "runner"
            for result, history in self._stop_all(active, by):
                if write_error is None:
                    try:
                        self._record(store, result, history)
                    except ResultsWriteError as exc:
                        write_error = exc
                self.display.finished(result)
            store.close()
            self._journal.close()
            if self.launcher is not None:
                self.launcher.close()
                self.launcher = None
            self.extra_env.pop("WANDB_SERVICE", None)
            release_service()
            if watchdog is not None:
                watchdog.close()
            if self.function is not None:  # as pyagent after its last job: a fresh wandb session, our variables gone
                import wandb
                from wandb.sdk.lib.service.service_token import clear_service_in_env

                wandb.teardown()
                os.environ.clear()
                os.environ.update(environ)
                clear_service_in_env()  # the token of the service teardown stopped (a next wandb.init starts one)
        run_cap = self.config.get("run_cap")
        state.finished = not interrupted and (exhausted or (isinstance(run_cap, int) and launched >= run_cap))
        state.reason = reason
        state.write(self.out_dir)
        if len(self.goals) > 1 and write_error is None:
            from .pareto import write

            write(self.out_dir, store.results, self.metrics, self.goals)
        if write_error is not None:
            self.display.done(None)
            raise write_error
        ended = False
        if self.online is not None and exhausted:
            from .online import finish_sweep

            ended = finish_sweep(self.online)
        run_dirs = [r.run_dir for r in store.results if r.run_dir and self.mode != "disabled"]
        outcome = SweepOutcome(
            sweep_id=self.sweep_id,
            results=store.results,
            out_dir=self.out_dir,
            run_dirs=[d for d in run_dirs if d],
            reason=reason,
            goal=self.goal,
            metric=self.metrics[0] if self.metrics else None,
            interrupted=interrupted,
            mode=self.mode,
            online=self.online,
            online_ended=ended,
            failure_rule=bool(failures.reason) and not missing and not interrupted,
            missing_metric=missing,
            metrics=list(self.metrics) if len(self.goals) > 1 else [],
            goals=list(self.goals) if len(self.goals) > 1 else [],
            project=self.project,
            entity=self.entity,
        )
        self.display.done(outcome)
        return outcome

    def _early_terminate(self, active: Mapping[str, Active]) -> None:
        """Tell the engine each running run's history and stop the runs its early termination stops.
        W&B's server stops only running runs: one whose exit record is logged has finished (it is neither
        told as running nor judged). A run is judged at each band its new rows reached, then as a whole
        (`Engine.checkpoints`): the stop does not depend on how the log reader batched the rows."""
        running = {
            k: self._report(a, "running") for k, a in active.items() if not a.trial.stopped and a.log.exit_code is None
        }
        if not running:
            return
        for key, report in running.items():
            self.engine.tell(key, report)
        stops: dict[str, int] = {}
        for key, report in running.items():
            for rows in self.engine.checkpoints(report.history, active[key].judged)[:-1]:
                if self.engine.prune({key: replace(report, history=report.history[:rows])}):
                    stops[key] = rows
                    break
        rest = {k: r for k, r in running.items() if k not in stops}
        for key in self.engine.prune(rest) if rest else []:
            stops[key] = len(rest[key].history)
        for key, report in running.items():
            active[key].judged = len(report.history)
        for key, rows in stops.items():
            a = active[key]
            if a.trial.stop("early_terminate", time.monotonic()):
                a.stopped_at = rows
                self.display.stopping(a.trial.spec.run_id, rows)

    def _stop_all(self, active: dict[str, Active], by: str) -> list[tuple[RunResult, list[dict[str, Any]]]]:
        """Stop every running trial as the agent does on shutdown: SIGTERM, then SIGKILL after the grace."""
        results = []
        now = time.monotonic()
        for a in active.values():
            if not a.trial.stopped:
                a.trial.stop(by, now)
        deadline = time.monotonic() + self.grace
        while active:
            for key, a in list(active.items()):
                code = a.trial.poll()
                if code is None and time.monotonic() > deadline:
                    a.trial.kill()
                    continue
                if code is not None:
                    del active[key]
                    results.append((self._finish(a, code), a.log.snapshot()[0]))
            try:
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()
            except KeyboardInterrupt:  # a second Ctrl-C: kill now
                deadline = 0.0
        return results


def _sigterm_as_interrupt() -> Callable[[], None]:
    """While the sweep runs, SIGTERM stops it like Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    return lambda: signal.signal(signal.SIGTERM, previous)
