"""A local stand-in for W&B's server: the real wandb client talks to it over HTTP on 127.0.0.1.

It answers the GraphQL the client sends to create a sweep (the Viewer query, the UpsertSweep
mutation) and, given a sweep config, the GraphQL the UNMODIFIED wandb agent sends (`wandb agent ID`
or `wandb.agent(ID)`): the SweepWithRuns query (the sweep's config, whose `command` the agent
runs), the CreateAgent mutation and the Heartbeat mutation, whose answer carries the agent's
commands. Every request is recorded so tests can read what the client sent.

Agent protocol, as wandb/wandb_agent.py and wandb/apis/public/sweeps.py speak it:
- each heartbeat carries `runState` = {run_id: True} for the runs the agent still runs;
- the stub answers with commands: `{"type": "run", "run_id", "program", "args": {name: {"value": v}}}`
  while fewer than `runs` runs were handed out and fewer than `concurrent` are running; the
  parameters are drawn by W&B's own engine (`sweeps.next_run`, given the runs handed out so far, so
  grids enumerate); `{"type": "stop", "run_id"}` after `stub.stop(run_id)`; `{"type": "exit"}` once
  every run was handed out and has ended (the agent then returns, even without --count).

Online runs: an unmodified client (wandb.init with WANDB_MODE=online, WANDB_BASE_URL = the stub,
WANDB_API_KEY = API_KEY) runs to the end against it: UpsertBucket (the run; joining a sweep only one
the stub knows, as W&B's server), CreateRunFiles (upload URLs on the stub, PUT there), the run's
file_stream POSTs. `stub.online_runs` holds each run (StubRun: id, project, sweep, config, history
rows, summary, state); `stub.sweeps` each sweep an UpsertSweep created (StubSweep: config, controller
and the later updates); `stub.unknown` every request the stub has no answer for (answered with an
empty 200, so no client hangs; wandb-core's telemetry POSTs to /sdk/otel/ land there).

Usage (the agent's children run offline: nothing they log reaches the stub, their files stay in WANDB_DIR):

    with stub_server(sweep_config=cfg, runs=3) as stub:
        subprocess.run(["wandb", "agent", stub.sweep_id], env={**os.environ, **stub.env(home)})
        stub.handed_out  # [HandedRun(run_id, args, config), ...]; config = the plain parameters
        stub.heartbeats  # [{"agent": id, "runState": {...}}, ...]

Several agents (several machines) may serve one sweep: each CreateAgent gets its own id (agent-1,
agent-2, ... in order) and each heartbeat reports that agent's runs only. Instead of W&B's engine, a
`plan` hands out a prepared sequence of run configs: `[(agent, config), ...]`, run k only once every
earlier run has ended, to the agent numbered `agent` (1-based; None: whichever asks first); it stands
in for a scheduler that decides the next run from the earlier ones (e.g. PBT's continuations).

`scheduler=True` (a `method: custom` sweep with a `scheduler` block, its `source` an absolute path) makes the
stub W&B's sweep scheduler: the runs it hands out are the ones wandb's own `make_optimizer` (the sweep's
generated source) asks for, one pending suggestion at a time; at every heartbeat each run handed out is told to
the optimizer (`tell_run`: state, summary and history as the run streamed them to the stub — so the agents'
runs must log online, WANDB_MODE=online), running runs go through `prune_runs` (a pruned run gets a stop
command at its own agent's next heartbeat; `stub.pruned`), and an ask answered with no run ends the sweep
(`exit` once no run runs), as W&B's scheduler ends it. Each agent (machine) runs one run at a time; `place`,
if given, decides which agent may take the pending run (`place(config, agent, stub) -> bool`).

`stub.stop(run_id)` queues a stop command for the next heartbeat (the agent sends SIGTERM, then
SIGKILL after WANDB_AGENT_KILL_DELAY seconds); `stub.wait_running(run_id)` waits until the agent
reports a run as running. The agent polls every 5 s (its POLL_INTERVAL): a sweep of N runs takes
about N × (5 s + the run's own time).
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml
from engine import to_plain
from wandb_stub_artifacts import ArtifactStore

SWEEP_ID = "stub0001"
ENTITY, PROJECT = "stub-entity", "stub-project"
API_KEY = "0123456789abcdef0123456789abcdef01234567"  # 40 characters, like a real key; never sent anywhere else
AGENT_ID = "agent-1"


class GraphQLError(Exception):
    """Answered as a GraphQL error (`errors`), as W&B's server answers a request it refuses."""


@dataclass
class HandedRun:
    """A run the stub handed to an agent."""

    run_id: str
    args: dict[str, Any]
    """As sent: {name: {"value": v}} (nested parameters are one dict value)."""
    config: dict[str, Any]
    """The plain parameters {name: v}: what wandb.config should hold."""
    agent: str | None = None
    """The id of the agent it was handed to."""


@dataclass
class StubRun:
    """A run an unmodified client created online (UpsertBucket) and streamed (file_stream)."""

    id: str
    entity: str
    project: str
    sweep: str | None = None
    """The sweep name the client attached the run to (UpsertBucket's `sweep`, from WANDB_SWEEP_ID)."""
    raw_config: dict[str, Any] = field(default_factory=dict)
    """As sent: {key: {"value": v}}, with wandb's own `_wandb` key."""
    history: list[dict[str, Any]] = field(default_factory=list)
    """The rows of file_stream's wandb-history.jsonl, in order."""
    summary: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None
    complete: bool = False
    files: dict[str, bytes] = field(default_factory=dict)
    """Files the client uploaded to the URLs CreateRunFiles gave it."""
    output: list[str] = field(default_factory=list)
    """The run's console (file_stream's output.log): each line stored at its offset, as W&B's server does."""
    output_sent: list[tuple[int, list[str]]] = field(default_factory=list)
    """Every output.log chunk file_stream sent: (offset, lines)."""

    @property
    def config(self) -> dict[str, Any]:
        """The plain config {key: v} without wandb's `_wandb`: what wandb.config held."""
        return {k: v.get("value") for k, v in self.raw_config.items() if k != "_wandb" and isinstance(v, dict)}

    @property
    def state(self) -> str:
        """running until the client's final file_stream request; then finished (exit 0) or failed."""
        if not self.complete:
            return "running"
        return "finished" if self.exit_code == 0 else "failed"

    def edge(self) -> dict[str, Any]:
        """The run as the SweepWithRuns query returns it."""
        return {
            "node": {
                "name": self.id,
                "state": self.state,
                "config": json.dumps(self.raw_config),
                "exitcode": self.exit_code,
                "heartbeatAt": None,
                "shouldStop": False,
                "failed": self.state == "failed",
                "stopped": False,
                "running": self.state == "running",
                "summaryMetrics": json.dumps(self.summary),
                "sampledHistory": [self.history],
            }
        }


@dataclass
class StubSweep:
    """A sweep created by an UpsertSweep mutation without `id`; later mutations with its `id` update it."""

    name: str
    obj_id: str
    entity: str
    project: str
    config: str
    """The YAML text the client sent."""
    controller: str | None = None
    state: str = "RUNNING"
    updates: list[dict[str, Any]] = field(default_factory=list)
    """The variables of every later UpsertSweep mutation for this sweep."""


class StubServer:
    def __init__(
        self,
        sweep_config: dict[str, Any] | None = None,
        runs: int = 0,
        concurrent: int = 1,
        plan: list[tuple[int | None, dict[str, Any]]] | None = None,
        scheduler: bool = False,
        place: Callable[[dict[str, Any], str | None, StubServer], bool] | None = None,
    ) -> None:
        self.plan = list(plan) if plan is not None else None
        if self.plan is not None:
            runs = len(self.plan)
        self.agents: list[str] = []
        """Agent ids in the order CreateAgent registered them."""
        self._running_by: dict[str | None, set[str]] = {}
        self.requests: list[dict[str, Any]] = []
        self.sweep_id = SWEEP_ID
        self.sweep_config = copy.deepcopy(dict(sweep_config)) if sweep_config is not None else None
        self.runs, self.concurrent = runs, concurrent
        self.handed_out: list[HandedRun] = []
        self.heartbeats: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.ended: list[str] = []
        """Run ids in the order the agent stopped reporting them as running."""
        self.sweeps: dict[str, StubSweep] = {}
        """Sweeps created through UpsertSweep, by name (the first is SWEEP_ID)."""
        self.online_runs: dict[str, StubRun] = {}
        """Runs created online (UpsertBucket), by run id, in creation order."""
        self.unknown: list[dict[str, Any]] = []
        """Requests the stub has no specific answer for (answered with an empty 200 so no client hangs)."""
        self.traffic: list[tuple[str, str, str | None]] = []
        """Every request: (HTTP method, path without query, GraphQL operation name or None)."""
        self.inserted: list[str] = []
        """Run ids in the order UpsertBucket created them (a run created twice appears twice)."""
        self.unreachable: set[str] = set()
        """Run ids whose UpsertBucket fails as an unreachable server does (HTTP 503), for tests of failures."""
        self._running: set[str] = set()
        self._pending_stops: list[str] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.optimizer: Any = None
        """scheduler=True: wandb's optimizer for the sweep (make_optimizer), which decides every run."""
        self.place = place
        self.pruned: list[str] = []
        """scheduler=True: run ids the optimizer pruned (each sent a stop command), in order."""
        self.exhausted = False
        """scheduler=True: an ask got no run (W&B's scheduler then ends the sweep)."""
        self._opt_ids: dict[str, str] = {}
        self._told_end: set[str] = set()
        self._suggested: tuple[str, dict[str, Any]] | None = None
        if scheduler:
            from wandb.sdk.sweeps import SweepInfo
            from wandb.sdk.sweeps.scheduler.optimizer import make_optimizer

            info = SweepInfo(id=SWEEP_ID, name=SWEEP_ID, entity=ENTITY, project=PROJECT,
                             config=copy.deepcopy(self.sweep_config), controller_run_name="")  # fmt: skip
            self.optimizer = make_optimizer(info)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, out = stub.handle(self.command, self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_POST = do_PUT = do_GET = _serve  # noqa: N815 (http.server's names)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.artifacts = ArtifactStore(self.url)
        """Artifacts the runs logged (tests/wandb_stub_artifacts.py): log, commit, use, download, list."""

    # --- HTTP --------------------------------------------------------------------------------

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        """One request: GraphQL, a run's file_stream, a file upload; anything else is recorded in
        `unknown` and answered with an empty JSON object."""
        route = path.split("?")[0].rstrip("/")
        parts = route.strip("/").split("/")
        if method == "POST" and route.endswith("graphql"):
            request = json.loads(body or b"{}")
            self.traffic.append((method, route, request.get("operationName")))
            if (
                "upsertBucket" in request.get("query", "")
                and (request.get("variables") or {}).get("name") in self.unreachable
            ):
                return 503, b'{"error": "service unavailable"}'
            self.requests.append(request)
            try:
                data = self.artifacts.answer(request.get("query", ""), request.get("variables") or {})
                if data is None:
                    data = self.answer(request.get("query", ""), request.get("variables") or {})
            except GraphQLError as exc:
                return 200, json.dumps({"data": None, "errors": [{"message": str(exc)}]}).encode()
            if data is None:
                self.unknown.append({"method": method, "path": path, "operation": request.get("operationName")})
                data = {}
            return 200, json.dumps({"data": data}).encode()
        self.traffic.append((method, route, None))
        blob = self.artifacts.http(method, parts, body)
        if blob is not None:
            return blob
        if method == "POST" and len(parts) == 5 and parts[0] == "files" and parts[4] == "file_stream":
            self._file_stream(parts[3], json.loads(body or b"{}"))
            return 200, json.dumps({"exitcode": None, "limits": {}}).encode()
        if method in ("PUT", "POST") and len(parts) == 5 and parts[0] == "upload":
            with self._lock:
                run = self.online_runs.get(parts[3])
                if run is not None:
                    run.files[parts[4]] = body
            return 200, b"{}"
        self.unknown.append({"method": method, "path": path, "operation": None})
        return 200, b"{}"

    def _file_stream(self, run_id: str, request: dict[str, Any]) -> None:
        """wandb-core's file_stream: {"files": {name: {"offset": n, "content": [lines]}}, "complete", "exitcode"}."""
        with self._lock:
            run = self.online_runs.get(run_id)
            if run is None:
                self.unknown.append({"method": "POST", "path": f"file_stream of run {run_id}", "operation": None})
                return
            files = request.get("files") or {}
            history = files.get("wandb-history.jsonl")
            if history:
                offset = int(history.get("offset") or 0)
                rows = [json.loads(line) for line in history.get("content") or []]
                run.history[offset : offset + len(rows)] = rows
            output = files.get("output.log")
            if output:
                offset, lines = int(output.get("offset") or 0), list(output.get("content") or [])
                run.output_sent.append((offset, lines))
                run.output[offset : offset + len(lines)] = lines
            summary = files.get("wandb-summary.json")
            if summary and summary.get("content"):
                run.summary = json.loads(summary["content"][-1])
            if request.get("complete"):
                run.complete = True
                run.exit_code = request.get("exitcode")

    # --- GraphQL -----------------------------------------------------------------------------

    def answer(self, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The `data` of the answer; None for a query the stub does not know (see `handle`)."""
        project = {"id": "p1", "name": PROJECT, "entity": {"id": "e1", "name": ENTITY}}
        if "agentHeartbeat" in query:
            return {"agentHeartbeat": {"agent": {"id": AGENT_ID}, "commands": json.dumps(self._heartbeat(variables))}}
        if "createAgent" in query:
            with self._lock:
                self.agents.append(AGENT_ID if not self.agents else f"agent-{len(self.agents) + 1}")
                return {"createAgent": {"agent": {"id": self.agents[-1]}}}
        if "upsertSweep" in query:
            sweep = self._upsert_sweep(variables)
            project = {"id": "p1", "name": sweep.project, "entity": {"id": "e1", "name": sweep.entity}}
            return {"upsertSweep": {"sweep": {"name": sweep.name, "project": project}, "configValidationWarnings": []}}
        if "upsertBucket" in query:
            return {"upsertBucket": self._upsert_bucket(variables)}
        if "createRunFiles" in query:
            run_path = "/".join(str(variables.get(k)) for k in ("entity", "project", "run"))
            files = [{"name": f, "uploadUrl": f"{self.url}/upload/{run_path}/{f}"} for f in variables.get("files", [])]
            return {"createRunFiles": {"runID": f"r-{variables.get('run')}", "uploadHeaders": [], "files": files}}
        if "SweepWithRuns" in query or ("sweep(" in query and "project(" in query):
            return {"project": {**project, "sweep": self._sweep(variables.get("sweep"))}}
        if "historyLineCount" in query and "run(name" in query:  # a run's lines, as the public API asks
            with self._lock:
                run = self.online_runs.get(variables.get("name") or "")
                found = {"historyLineCount": len(run.history)} if run is not None else None
            return {"project": {**project, "run": found}}
        if "viewer" in query:
            return {
                "viewer": {
                    "id": "u1",
                    "entity": ENTITY,
                    "username": ENTITY,
                    "email": None,
                    "flags": "{}",
                    "teams": {"edges": []},
                }
            }
        if "coreWeaveOrganizationId" in query:
            return {"entity": {"organization": None}}
        return None

    def _upsert_sweep(self, variables: dict[str, Any]) -> StubSweep:
        with self._lock:
            if variables.get("id"):
                sweep = next((s for s in self.sweeps.values() if s.obj_id == variables["id"]), None)
                if sweep is None:
                    raise GraphQLError(f"sweep {variables['id']} not found")
                sweep.updates.append(dict(variables))
                sweep.config = variables.get("config") or sweep.config
                sweep.controller = variables.get("controller") or sweep.controller
                sweep.state = variables.get("state") or sweep.state
                return sweep
            name = SWEEP_ID if not self.sweeps else f"stub{len(self.sweeps) + 1:04d}"
            entity = variables.get("entityName") or ENTITY
            project = variables.get("projectName") or PROJECT
            sweep = StubSweep(name, f"s-{name}", entity, project, variables.get("config") or "")
            sweep.controller = variables.get("controller")
            self.sweeps[name] = sweep
            return sweep

    def _upsert_bucket(self, variables: dict[str, Any]) -> dict[str, Any]:
        """Create or update a run; a run may only join a sweep the stub knows (as W&B's server)."""
        name = variables.get("name") or f"run{len(self.online_runs) + 1:04d}"
        entity = variables.get("entity") or ENTITY
        project = variables.get("project") or PROJECT
        sweep_name = variables.get("sweep")
        with self._lock:
            if (
                sweep_name
                and sweep_name not in self.sweeps
                and not (self.sweep_config is not None and sweep_name == self.sweep_id)
            ):
                raise GraphQLError(f"sweep {entity}/{project}/{sweep_name} not found")
            inserted = name not in self.online_runs
            if inserted:
                self.inserted.append(name)
            run = self.online_runs.setdefault(name, StubRun(name, entity, project))
            run.sweep = sweep_name or run.sweep
            if variables.get("config"):
                run.raw_config.update(json.loads(variables["config"]))
            if variables.get("summaryMetrics"):
                run.summary.update(json.loads(variables["summaryMetrics"]))
            bucket = {
                "id": f"r-{name}",
                "name": name,
                "displayName": variables.get("displayName") or name,
                "description": variables.get("description"),
                "config": json.dumps(run.raw_config),
                "sweepName": run.sweep,
                "project": {"id": "p1", "name": project, "entity": {"id": "e1", "name": entity}},
                "historyLineCount": len(run.history),
            }
        return {"bucket": bucket, "inserted": inserted}

    def _sweep(self, name: str | None = None) -> dict[str, Any] | None:
        if self.sweep_config is None:
            return self._created_sweep(name)
        return {
            "id": "s1",
            "name": SWEEP_ID,
            "method": self.sweep_config.get("method"),
            "state": "RUNNING",
            "description": None,
            "config": yaml.safe_dump(self.sweep_config, sort_keys=False),
            "createdAt": "2026-01-01T00:00:00",
            "heartbeatAt": None,
            "updatedAt": None,
            "earlyStopJobRunning": False,
            "bestLoss": None,
            "controller": None,
            "scheduler": None,
            "runs": {"edges": []},
        }

    def _created_sweep(self, name: str | None) -> dict[str, Any] | None:
        """A sweep created through UpsertSweep, with the runs attached to it (None: not found)."""
        with self._lock:
            sweep = self.sweeps.get(name or "")
            if sweep is None:
                return None
            config = yaml.safe_load(sweep.config) if sweep.config else {}
            runs = [r.edge() for r in self.online_runs.values() if r.sweep == sweep.name]
        return {
            "id": sweep.obj_id,
            "name": sweep.name,
            "method": config.get("method"),
            "state": sweep.state,
            "description": None,
            "config": sweep.config,
            "createdAt": "2026-01-01T00:00:00",
            "heartbeatAt": None,
            "updatedAt": None,
            "earlyStopJobRunning": False,
            "bestLoss": None,
            "controller": sweep.controller,
            "scheduler": None,
            "runs": {"edges": runs},
        }

    def _heartbeat(self, variables: dict[str, Any]) -> list[dict[str, Any]]:
        state = json.loads(variables.get("runState") or "{}")
        agent = variables.get("id")
        with self._lock:
            self.heartbeats.append({"agent": agent, "runState": state, "time": time.monotonic()})
            mine = self._running_by.get(agent, set())
            for run_id in sorted(mine - set(state)):
                self.ended.append(run_id)
            mine = self._running_by[agent] = (mine & set(state)) | {r for r, alive in state.items() if alive}
            self._running = set().union(*self._running_by.values())
            commands: list[dict[str, Any]] = []
            if self.optimizer is not None:
                return self._schedule(agent, mine, commands)
            for run_id in self._pending_stops:
                commands.append({"type": "stop", "run_id": run_id})
            self._pending_stops = []
            while len(self.handed_out) < self.runs and len(self._running) < self.concurrent and self._mine_next(agent):
                run = self._next_run()
                run.agent = agent
                mine.add(run.run_id)
                self._running.add(run.run_id)
                commands.append(
                    {"type": "run", "run_id": run.run_id, "program": self.sweep_config.get("program"), "args": run.args}
                )
            if self.sweep_config is not None and len(self.handed_out) >= self.runs and not self._running:
                commands.append({"type": "exit"})
            for c in commands:
                c["id"] = f"cmd-{next(self._ids)}"
            self.commands.extend(commands)
            return commands

    def _schedule(self, agent: str | None, mine: set[str], commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """scheduler=True: one heartbeat of W&B's sweep scheduler (module doc); called holding the lock."""
        self._tell_and_prune()
        for run_id in [r for r in self._pending_stops if r in mine]:  # a stop goes to the run's own agent
            commands.append({"type": "stop", "run_id": run_id})
            self._pending_stops.remove(run_id)
        if not mine and len(self._running) < self.concurrent:
            if self._suggested is None and not self.exhausted:
                asked = self.optimizer.ask_n_runs(1)
                if asked is not None and not asked:
                    self.exhausted = True
                elif asked:
                    self._suggested = (str(asked[0].run_id), json.loads(json.dumps(asked[0].config.flat_dict())))
            if self._suggested is not None and (self.place is None or self.place(self._suggested[1], agent, self)):
                opt_id, config = self._suggested
                self._suggested = None
                run = HandedRun(f"run{len(self.handed_out) + 1:04d}", {k: {"value": v} for k, v in config.items()},
                                config, agent)  # fmt: skip
                self.handed_out.append(run)
                self._opt_ids[run.run_id] = opt_id
                mine.add(run.run_id)
                self._running.add(run.run_id)
                commands.append(
                    {"type": "run", "run_id": run.run_id, "program": self.sweep_config.get("program"), "args": run.args}
                )
        if self.exhausted and self._suggested is None and not self._running:
            commands.append({"type": "exit"})
        for c in commands:
            c["id"] = f"cmd-{next(self._ids)}"
        self.commands.extend(commands)
        return commands

    def _tell_and_prune(self) -> None:
        """Tell the optimizer every run handed out (as W&B's server reports it), then prune the running ones."""
        from wandb.sdk.sweeps import RunState
        from wandb.sdk.sweeps.scheduler.optimizer import RunConfig, RunWithMetrics

        running: list[tuple[str, Any]] = []
        for handed in self.handed_out:
            if handed.run_id in self._told_end:
                continue
            run = self.online_runs.get(handed.run_id)
            if run is not None and run.complete:
                state = run.state
            elif handed.run_id not in self._running:  # the agent no longer runs it, and it never completed
                state = "crashed"
            else:
                state = "running"
            message = RunWithMetrics(
                config=RunConfig.from_values(handed.config), state=RunState(state), wandb_run_id=handed.run_id,
                summary_metrics=dict(run.summary) if run else {},
                history_metrics=[dict(row) for row in run.history] if run else [],
            )  # fmt: skip
            self.optimizer.tell_run(self._opt_ids[handed.run_id], message)
            if state == "running":
                running.append((handed.run_id, message))
            else:
                self._told_end.add(handed.run_id)
        if not running:
            return
        by_opt = {self._opt_ids[run_id]: run_id for run_id, _ in running}
        for opt_id in self.optimizer.prune_runs([self._opt_ids[r] for r, _ in running], [m for _, m in running]):
            run_id = by_opt[str(opt_id)]
            if run_id not in self.pruned:
                self.pruned.append(run_id)
                self._pending_stops.append(run_id)

    def _mine_next(self, agent: str | None) -> bool:
        """Whether the next run may go to `agent`: always without a plan; with one, when no run is
        running and the plan names this agent (or none)."""
        if self.plan is None:
            return True
        wanted = self.plan[len(self.handed_out)][0]
        if wanted is not None and agent not in self.agents:
            return False
        return not self._running and (wanted is None or self.agents.index(agent) + 1 == wanted)

    def _next_run(self) -> HandedRun:
        if self.plan is not None:
            config = copy.deepcopy(self.plan[len(self.handed_out)][1])
            args = {k: {"value": v} for k, v in config.items()}
            run = HandedRun(f"run{len(self.handed_out) + 1:04d}", args, config)
            self.handed_out.append(run)
            return run
        import sweeps

        previous = [
            sweeps.SweepRun(name=r.run_id, state=sweeps.RunState.finished, config=copy.deepcopy(r.args))
            for r in self.handed_out
        ]
        suggested = sweeps.next_run(copy.deepcopy(self.sweep_config), previous)
        if suggested is None:
            raise RuntimeError("W&B's engine has no further run for this sweep (a grid is exhausted)")
        args = to_plain(suggested.config)
        run = HandedRun(f"run{len(self.handed_out) + 1:04d}", args, {k: v["value"] for k, v in args.items()})
        self.handed_out.append(run)
        return run

    # --- test API ----------------------------------------------------------------------------

    def stop(self, run_id: str) -> None:
        """Send `{"type": "stop", "run_id": run_id}` at the next heartbeat (the agent sends SIGTERM)."""
        with self._lock:
            self._pending_stops.append(run_id)

    def wait_running(self, run_id: str, timeout: float = 60.0) -> None:
        """Wait until a heartbeat reports `run_id` running (raises TimeoutError)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(run_id in h["runState"] for h in self.heartbeats):
                return
            time.sleep(0.1)
        raise TimeoutError(f"the agent never reported {run_id} as running")

    def upserted_configs(self) -> list[str]:
        """The `config` variable (YAML text) of every UpsertSweep mutation received."""
        return [r["variables"]["config"] for r in self.requests if "upsertSweep" in r.get("query", "")]

    def env(self, home: str, runs_offline: bool = True) -> dict[str, str]:
        """Environment pointing the wandb client (and its wandb-core sidecar) at this stub.

        `runs_offline`: the runs an agent starts (which inherit the agent's environment) log
        offline into `home`/wandb/offline-run-*, while the agent itself talks to the stub (the
        agent's API calls ignore WANDB_MODE).
        """
        return {
            "HOME": home,
            "WANDB_BASE_URL": self.url,
            "WANDB_API_KEY": API_KEY,
            "WANDB_MODE": "offline" if runs_offline else "online",
            "WANDB_SILENT": "true",
            "WANDB_DIR": home,
            "WANDB_CONFIG_DIR": home,
            "WANDB_CACHE_DIR": home,
            "WANDB_ENTITY": ENTITY,
            "WANDB_PROJECT": PROJECT,
        }

    def agent_env(self, home: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The whole environment for an agent: ours minus WANDB_*, plus `env(home)`, plus `extra`;
        this interpreter's directory first on PATH (the agent runs `${interpreter}` as `python`)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
        env.update(self.env(home))
        env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
        env.update(extra or {})
        return env

    def start_agent(
        self, home: str, cwd: str, *, cli: bool = True, extra_env: dict[str, str] | None = None
    ) -> subprocess.Popen:
        """Start the unmodified agent for this sweep: `wandb agent ID` (cli) or `wandb.agent(ID)`.

        Output is captured (text); call `.communicate(timeout=...)` to wait for it.
        """
        if cli:
            cmd = [os.path.join(os.path.dirname(sys.executable), "wandb"), "agent", self.sweep_id]
        else:
            cmd = [sys.executable, "-c", f"import wandb; wandb.agent({self.sweep_id!r})"]
        return subprocess.Popen(
            cmd,
            cwd=cwd,
            env=self.agent_env(home, extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@contextmanager
def stub_server(
    sweep_config: dict[str, Any] | None = None,
    runs: int = 0,
    concurrent: int = 1,
    plan: list[tuple[int | None, dict[str, Any]]] | None = None,
    scheduler: bool = False,
    place: Callable[[dict[str, Any], str | None, StubServer], bool] | None = None,
) -> Iterator[StubServer]:
    """A running stub; with `sweep_config`, it hands `runs` runs of it (or the `plan`'s, or the ones its
    scheduler asks for) to agents (module doc)."""
    stub = StubServer(sweep_config, runs, concurrent, plan, scheduler, place)
    thread = threading.Thread(target=stub.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        stub.server.shutdown()
        stub.server.server_close()
