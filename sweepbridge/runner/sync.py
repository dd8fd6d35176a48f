"""`sweepbridge sync DIR`: an offline sweep becomes a real W&B sweep.

`wandb sync` refuses a run whose sweep W&B's server never issued (wandb/wandb#8115), and the runner's
offline runs carry no sweep, so they upload as plain runs that W&B's sweep page never shows. This
module creates the sweep on W&B's server as `wandb sweep --controller` does (runner/online.py: the
sweep's config, a local controller), then uploads each run of DIR with wandb-core's own sync (what
`wandb sync` runs: config, history, summary, files, exit state), from a copy of the run's transaction
log whose run record names that sweep (`RunRecord.sweep_id`, runner/txlog.py): the server attaches the
run to the sweep as it attaches an agent's run. When the local sweep ended by itself, the sweep is
ended on W&B as wandb's local controller ends it (`finish_sweep`).

DIR/sync.json (replaced atomically after each step) records the W&B sweep and each uploaded run, so a
second sync uploads only runs that are new, and a sync cut short (network failure, Ctrl-C, a kill)
continues where it stopped: the sweep is not created twice, an uploaded run is not sent again, and a
run whose upload was cut short is sent again whole under the same run id (the server updates that run,
never a second one; its console lines are sent again at the same line offsets, which W&B's server
replaces, so they land once). After its upload, a run's original log gets wandb's `.wandb.synced` marker, so a
later `wandb sync` skips it. No credential is written anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SpecError, SweepBridgeError
from .online import OnlineSweep

SYNC_FILE = "sync.json"
STAGE_DIR = "sync"


class SyncError(SweepBridgeError):
    """W&B's server refused, or could not be reached for, part of the sync."""


@dataclass
class SyncOutcome:
    """What one `sync` did."""

    sweep: OnlineSweep
    created: bool
    """The sweep was created by this sync (else an earlier sync of DIR created it)."""
    uploaded: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    """Runs an earlier sync uploaded."""
    missing: list[str] = field(default_factory=list)
    """Runs of the results without a transaction log under the sweep's WANDB_DIR."""
    failed: dict[str, str] = field(default_factory=dict)
    ended: bool = False
    """The W&B sweep is marked finished (by this sync or an earlier one)."""
    finished_locally: bool = False

    @property
    def url(self) -> str | None:
        return self.sweep.url


def _read_state(directory: Path) -> dict[str, Any]:
    path = directory / SYNC_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"runs": {}}
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read {path}: {exc} (delete it to sync DIR into a new W&B sweep).") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path} is not a sweepbridge sync record.")
    data.setdefault("runs", {})
    return data


def _write_state(directory: Path, state: dict[str, Any]) -> None:
    from ..sweep_config import write_atomic

    write_atomic(directory / SYNC_FILE, json.dumps(state, indent=1, sort_keys=True) + "\n")


def sync_sweep(
    directory: str | os.PathLike[str],
    *,
    project: str | None = None,
    entity: str | None = None,
    log: Any = None,
) -> SyncOutcome:
    """Make the offline sweep in DIR (a `sweepbridge run` results directory) a W&B sweep: see the module
    docstring. `project` / `entity`: where to create it (default: the run's, else wandb's defaults).
    `log`: called with one line per step. Needs a W&B login (SpecError before anything is sent)."""
    from ..sweep_config import SweepConfig, parse_text
    from .history import find_log
    from .online import create_sweep, finish_sweep
    from .results import JSONL
    from .resume import RunnerState, read_lines

    say = log or (lambda line: None)
    directory = Path(directory)
    if not directory.is_dir():
        raise SpecError(f"sync {directory}: no such directory.")
    runner = RunnerState.read(directory)
    if runner.mode == "online":
        where = (runner.online or {}).get("url") or "W&B"
        raise SpecError(f"{directory} is an online sweep: its runs are already in the W&B sweep {where}.")
    if runner.mode == "disabled":
        raise SpecError(f"{directory} ran with --mode disabled: its runs logged nothing to upload.")
    try:
        config = SweepConfig(parse_text((directory / "sweep.yaml").read_text(encoding="utf-8")))
    except OSError as exc:
        raise SpecError(f"cannot read {directory / 'sweep.yaml'}: {exc.strerror}") from None
    _require_login()
    state = _read_state(directory)
    created = False
    if state.get("sweep"):
        sweep = OnlineSweep(**state["sweep"])
        for given, held, what in ((project, sweep.project, "project"), (entity, sweep.entity, "entity")):
            if given and given != held:
                raise SpecError(
                    f"{directory} was synced to the W&B sweep {sweep.path} ({what} {held}): sync it there "
                    f"(without --{what}), or delete {directory / SYNC_FILE} to make another W&B sweep."
                )
        say(f"W&B sweep {sweep.path} (created by an earlier sync)")
    else:
        sweep = create_sweep(dict(config), project=project or runner.project, entity=entity or runner.entity)
        state["sweep"] = {"id": sweep.id, "entity": sweep.entity, "project": sweep.project, "url": sweep.url}
        _write_state(directory, state)
        created = True
        say(f"created W&B sweep {sweep.path}")
    outcome = SyncOutcome(sweep, created, finished_locally=runner.finished)
    wandb_dir = Path(runner.wandb_dir) if runner.wandb_dir else Path.cwd()
    pending: list[tuple[str, Path]] = []
    for record in read_lines(directory / JSONL):
        run_id = record.get("id")
        if not isinstance(run_id, str):
            continue
        if run_id in state["runs"]:
            outcome.already.append(run_id)
            continue
        found = find_log(wandb_dir, run_id)
        if found is None and isinstance(record.get("run_dir"), str):
            candidate = Path(record["run_dir"]) / f"run-{run_id}.wandb"
            found = candidate if candidate.is_file() else None
        if found is None:
            outcome.missing.append(run_id)
            continue
        pending.append((run_id, found))
    if pending:
        uploader = _Uploader()
        started = state.setdefault("started", [])
        for run_id, found in pending:
            skip = 0
            if run_id in started:  # an upload cut short: the server continues its history after its rows
                skip = _history_lines(sweep, run_id)
            else:
                started.append(run_id)
                _write_state(directory, state)
            staged = _stage(directory, found, sweep.id, skip_history=skip)
            error = uploader.upload(staged, entity=sweep.entity, project=sweep.project)
            if error:
                outcome.failed[run_id] = error
                say(f"run {run_id}: upload failed: {error}")
                continue
            shutil.rmtree(staged.parent, ignore_errors=True)
            found.with_suffix(".wandb.synced").touch()  # wandb's marker: a later `wandb sync` skips it
            state["runs"][run_id] = {"log": str(found)}
            started.remove(run_id)
            _write_state(directory, state)
            outcome.uploaded.append(run_id)
            say(f"run {run_id}: uploaded into {sweep.path}")
    if not outcome.failed:
        shutil.rmtree(directory / STAGE_DIR, ignore_errors=True)
    if state.get("ended"):
        outcome.ended = True
    elif runner.finished and not outcome.failed and not outcome.missing:
        outcome.ended = finish_sweep(sweep)
        if outcome.ended:
            state["ended"] = True
            _write_state(directory, state)
            say(f"marked W&B sweep {sweep.path} finished (the local sweep ended: {runner.reason})")
    return outcome


def _require_login() -> None:
    """Refuse (SpecError) unless wandb finds credentials for its server (as runner/online.py checks)."""
    import wandb
    from wandb.sdk import wandb_setup
    from wandb.sdk.lib import wbauth

    base_url = wandb.env.get_base_url(wandb_setup.singleton().settings.base_url)
    advice = "run `wandb login` (or set WANDB_API_KEY) first"
    try:
        auth = wbauth.authenticate_session(host=base_url, source="sweepbridge sync", prompt=False, update_session=False)
    except wandb.Error as exc:
        raise SpecError(f"sync: the W&B credentials are invalid ({exc}): {advice}.") from None
    if auth is None:
        raise SpecError(f"sync needs a W&B login for {base_url}: {advice}.")


def _history_lines(sweep: OnlineSweep, run_id: str) -> int:
    """How many history rows W&B's server holds for a run (0 when it has no such run)."""
    from .online import _api, _environ_kept

    query = """query SweepbridgeRunHistoryLines($entity: String!, $project: String!, $name: String!) {
        project(name: $project, entityName: $entity) { run(name: $name) { historyLineCount } }
    }"""
    with _environ_kept():
        try:
            data = _api(sweep.entity, sweep.project)._service_api.execute_graphql(
                query, {"entity": sweep.entity, "project": sweep.project, "name": run_id}
            )
        except Exception as exc:  # the server cannot say: retry later rather than send rows twice
            raise SyncError(f"W&B's server did not say how much of run {run_id} it holds: {exc}") from None
    run = ((data or {}).get("project") or {}).get("run") or {}
    return int(run.get("historyLineCount") or 0)


def _stage(directory: Path, log: Path, sweep_id: str, skip_history: int = 0) -> Path:
    """A copy of the run's log naming `sweep_id` as its sweep, without its first `skip_history` history
    rows (those the server already holds: wandb-core sends the rest after them), in DIR/sync/<run dir>/,
    beside a link to the run's files (what wandb-core's sync uploads with it)."""
    from .txlog import rewrite

    target_dir = (directory / STAGE_DIR / log.parent.name).resolve()
    target_dir.mkdir(parents=True, exist_ok=True)
    files = target_dir / "files"
    if not files.exists() and (log.parent / "files").is_dir():
        files.symlink_to((log.parent / "files").resolve(), target_is_directory=True)
    target = target_dir / log.name

    skipped = 0

    def attach(record: Any) -> bool:
        nonlocal skipped
        kind = record.WhichOneof("record_type")
        if kind == "run":
            record.run.sweep_id = sweep_id
        elif kind == "history" and skipped < skip_history:
            skipped += 1
            return False
        return True

    rewrite(log, target, attach)
    target.with_suffix(".wandb.synced").unlink(missing_ok=True)
    return target


class _Uploader:
    """wandb-core's sync (the `wandb sync` machinery), one run at a time, its messages collected."""

    def __init__(self) -> None:
        import wandb
        from wandb.sdk import wandb_setup
        from wandb.sdk.lib import wbauth

        self.singleton = wandb_setup.singleton()
        settings = self.singleton.settings
        try:
            ok = wbauth.authenticate_session(host=settings.base_url, source="sweepbridge sync", no_offline=True)
        except wandb.Error as exc:
            raise SyncError(f"W&B refused the login: {exc}") from None
        if not ok:
            raise SyncError("no W&B login: run `wandb login` (or set WANDB_API_KEY).")
        self.service = self.singleton.ensure_service()

    def upload(self, log: Path, *, entity: str, project: str) -> str | None:
        """Upload one transaction log; the error text, or None when wandb-core reports no error."""
        from wandb.proto.wandb_sync_pb2 import ServerSyncMessage

        async def run() -> list[Any]:
            init = await self.service.init_sync(
                {log},
                self.singleton.settings,
                cwd=None,
                live=False,
                entity=entity,
                project=project,
                run_id="",
                job_type="",
                tag_replacements={},
            )
            result = await init.wait_async(timeout=30)
            handle = await self.service.sync(result.id, parallelism=1)
            response = await handle.wait_async(timeout=None)
            return list(response.messages)

        try:
            messages = self.singleton.asyncer.run(run)
        except Exception as exc:  # the service went away, a timeout: this run is not uploaded
            return f"{type(exc).__name__}: {exc}"
        errors = [m.content for m in messages if m.severity >= ServerSyncMessage.SEVERITY_ERROR]
        return "; ".join(errors) or None
