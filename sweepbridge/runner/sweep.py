"""The sweep loop: W&B's optimizer asks for runs, trials start as the agent starts them, each run's
state and metric history go back to the optimizer as W&B's server reports them, and the runs it
stops early receive SIGTERM and, after the agent's grace period, SIGKILL."""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SpecError
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
    command_line,
    open_output,
    uses_program,
    wandb_dir,
    write_config,
)
from .online import OnlineSweep
from .results import ResultsStore, RunResult

MODES = ("offline", "online", "disabled")
SWEEP_FILE = "sweep.yaml"
"""The sweep config the runner ran, saved in the results directory (for `wandb sweep`)."""
POLL_SECONDS = 0.1
"""The loop's longest wait: it wakes at once when a trial ends, else after this to read running runs."""


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
    project: str | None = None
    """The runs' W&B project (None: wandb's default, `uncategorized` offline)."""
    entity: str | None = None

    @property
    def url(self) -> str | None:
        """Online: the W&B sweep's page."""
        return self.online.url if self.online else None

    def best(self, n: int = 5) -> list[RunResult]:
        """The top `n` runs by the sweep metric (runs without a value last)."""
        sign = -1.0 if self.goal == "maximize" else 1.0
        scored = [r for r in self.results if r.metric is not None]
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
        sweep_file = _relative(self.out_dir / SWEEP_FILE)
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
        self.jobs = jobs
        self.mode = mode
        self.base_dir = wandb_dir()
        run_cap = self.config.get("run_cap")
        caps = [c for c in (count, run_cap) if isinstance(c, int) and c > 0]
        self.budget = min(caps) if caps else math.inf
        if max_failures is not None and (not isinstance(max_failures, int) or max_failures < 1):
            raise SpecError(f"max_failures must be a positive integer, got {max_failures!r}.")
        self.max_failures = max_failures
        self.grace = default_grace() if grace is None else grace
        self.display = display or NullDisplay()
        self.extra_env = dict(RUNNER_ENV, WANDB_MODE=mode)
        self.project, self.entity = project, entity
        if project:
            self.extra_env["WANDB_PROJECT"] = project
        if entity:
            self.extra_env["WANDB_ENTITY"] = entity
        self._check_program()
        from wandb.sdk.lib.runid import generate_id

        self.online: OnlineSweep | None = None
        if mode == "online":  # a W&B sweep with a local controller: this runner schedules it
            from .online import create_sweep

            self.online = create_sweep(self.config, project=project, entity=entity)
            self.extra_env.update(self.online.env())
            project, entity = self.online.project, self.online.entity
            self.project, self.entity = project, entity
        self.sweep_id = self.online.id if self.online else generate_id()
        self.engine = Engine(self.config, self.sweep_id, project=project or "", entity=entity or "")
        self.metrics = self.engine.metric_names()
        self.live = self.engine.reads_running_history(jobs)
        """Follow each run's log while it runs (else read it once when it ends: nothing reads it earlier)."""
        self._wake = threading.Event()
        metric = self.config.get("metric") if isinstance(self.config.get("metric"), Mapping) else {}
        self.goal = str(metric.get("goal", "minimize"))
        self.out_dir = Path(out) if out is not None else Path(self.base_dir, "wandb", f"sweep-{self.sweep_id}")

    def _check_program(self) -> None:
        if self.function is not None or not uses_program(self.config):
            return
        program = self.config.get("program")
        if not program:
            raise SpecError("the sweep has no `program` to run (its command uses ${program}): add program: train.py.")
        if not Path(program).is_file():
            raise SpecError(f"program {program!r} not found (relative to {os.getcwd()}), the directory trials run in.")
        from .launch import check_trainable

        problem = check_trainable(self.config)
        if problem:
            raise SpecError(f"the trainable cannot be imported for a trial: {problem}")

    # --- one trial -------------------------------------------------------------------------------

    def _start(self, opt_id: str, config: dict[str, Any]) -> Active:
        from wandb.sdk.lib.runid import generate_id

        spec = TrialSpec(self.sweep_id, generate_id(), config)
        write_config(spec, self.base_dir)
        if self.function is not None:
            trial: Trial = FunctionTrial(spec, self.function, self.base_dir, self.extra_env, self._wake.set)
        else:
            from .launch import trial_env

            argv = command_line(self.config, spec, self.base_dir)
            output = open_output(self._output(spec))
            trial = ProcessTrial(spec, argv, trial_env(spec, self.base_dir, self.extra_env), output, self._wake.set)
        return Active(trial, opt_id, RunLog(self.metrics), time.monotonic())

    def _output(self, spec: TrialSpec) -> Path:
        return self.out_dir / "logs" / f"{spec.run_id}.log"

    def _report(self, active: Active, state: str) -> RunReport:
        history, summary = active.log.snapshot()
        return RunReport(active.trial.spec.config, state, summary, history, active.trial.spec.run_id)

    def _finish(self, active: Active, code: int) -> RunResult:
        trial = active.trial
        unread = None if active.log.started else find_log(Path(self.base_dir), trial.spec.run_id)
        active.log.close(wait=1.0, log=unread)
        trial.cleanup()
        if trial.stopped:
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
            run_dir=_relative(log.parent) if log is not None else None,
            output=_relative(self._output(trial.spec)) if self.function is None else None,
            summary={k: v for k, v in report.summary.items() if not k.startswith("_")},
        )

    # --- the loop --------------------------------------------------------------------------------

    def run(self) -> SweepOutcome:
        store = ResultsStore(self.out_dir)
        from ..sweep_config import SweepConfig, write_atomic

        write_atomic(self.out_dir / SWEEP_FILE, SweepConfig(self.config).to_yaml())
        active: dict[str, Active] = {}
        launched = 0
        failures = FailureRule.from_agent(self.max_failures)
        exhausted = False
        reason = "done"
        interrupted = False
        self.display.start(self)
        restore = _sigterm_as_interrupt()
        environ = dict(os.environ)
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
                    store.add(result)
                    self.display.finished(result)
                    failures.ended(a.trial.failed(code))
                if failures.reason:
                    reason = failures.reason
                    break
                running = {k: self._report(a, "running") for k, a in active.items() if not a.trial.stopped}
                for key, report in running.items():
                    self.engine.tell(key, report)
                for key in self.engine.prune(running) if running else []:
                    a = active[key]
                    a.trial.stopped = True
                    a.stopped_at = len(running[key].history)
                    a.trial.sigterm_at = time.monotonic()
                    a.trial.terminate()
                    self.display.stopping(a.trial.spec.run_id, a.stopped_at)
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
                    active[opt_id] = self._start(opt_id, config)
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
        finally:
            restore()
            for result in self._stop_all(active):
                store.add(result)
                self.display.finished(result)
            store.close()
            if self.function is not None:  # as pyagent after its last job: a fresh wandb session, our variables gone
                import wandb
                from wandb.sdk.lib.service.service_token import clear_service_in_env

                wandb.teardown()
                os.environ.clear()
                os.environ.update(environ)
                clear_service_in_env()  # the token of the service teardown stopped (a next wandb.init starts one)
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
            project=self.project,
            entity=self.entity,
        )
        self.display.done(outcome)
        return outcome

    def _stop_all(self, active: dict[str, Active]) -> list[RunResult]:
        """Stop every running trial as the agent does on shutdown: SIGTERM, then SIGKILL after the grace."""
        results = []
        for a in active.values():
            a.trial.stopped = True
            a.trial.terminate()
        deadline = time.monotonic() + self.grace
        while active:
            for key, a in list(active.items()):
                code = a.trial.poll()
                if code is None and time.monotonic() > deadline:
                    a.trial.kill()
                    continue
                if code is not None:
                    del active[key]
                    results.append(self._finish(a, code))
            try:
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()
            except KeyboardInterrupt:  # a second Ctrl-C: kill now
                deadline = 0.0
        return results


def _relative(path: Path) -> str:
    """`path` relative to the working directory when it lies below it (shorter `wandb sync` lines)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _sigterm_as_interrupt() -> Callable[[], None]:
    """While the sweep runs, SIGTERM stops it like Ctrl-C (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    return lambda: signal.signal(signal.SIGTERM, previous)
