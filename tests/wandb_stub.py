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

Usage (the children run offline: nothing they log reaches the stub, their files stay in WANDB_DIR):

    with stub_server(sweep_config=cfg, runs=3) as stub:
        subprocess.run(["wandb", "agent", stub.sweep_id], env={**os.environ, **stub.env(home)})
        stub.handed_out  # [HandedRun(run_id, args, config), ...]; config = the plain parameters
        stub.heartbeats  # [{"agent": id, "runState": {...}}, ...]

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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from engine import to_plain

SWEEP_ID = "stub0001"
ENTITY, PROJECT = "stub-entity", "stub-project"
API_KEY = "0123456789abcdef0123456789abcdef01234567"  # 40 characters, like a real key; never sent anywhere else
AGENT_ID = "agent-1"


@dataclass
class HandedRun:
    """A run the stub handed to an agent."""

    run_id: str
    args: dict[str, Any]
    """As sent: {name: {"value": v}} (nested parameters are one dict value)."""
    config: dict[str, Any]
    """The plain parameters {name: v}: what wandb.config should hold."""


class StubServer:
    def __init__(self, sweep_config: dict[str, Any] | None = None, runs: int = 0, concurrent: int = 1) -> None:
        self.requests: list[dict[str, Any]] = []
        self.sweep_id = SWEEP_ID
        self.sweep_config = copy.deepcopy(dict(sweep_config)) if sweep_config is not None else None
        self.runs, self.concurrent = runs, concurrent
        self.handed_out: list[HandedRun] = []
        self.heartbeats: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.ended: list[str] = []
        """Run ids in the order the agent stopped reporting them as running."""
        self._running: set[str] = set()
        self._pending_stops: list[str] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                data: dict[str, Any] = {}
                if self.path.rstrip("/").endswith("graphql"):
                    request = json.loads(body)
                    stub.requests.append(request)
                    data = {"data": stub.answer(request.get("query", ""), request.get("variables") or {})}
                out = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # --- GraphQL -----------------------------------------------------------------------------

    def answer(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        project = {"id": "p1", "name": PROJECT, "entity": {"id": "e1", "name": ENTITY}}
        if "agentHeartbeat" in query:
            return {"agentHeartbeat": {"agent": {"id": AGENT_ID}, "commands": json.dumps(self._heartbeat(variables))}}
        if "createAgent" in query:
            return {"createAgent": {"agent": {"id": AGENT_ID}}}
        if "upsertSweep" in query:
            return {"upsertSweep": {"sweep": {"name": SWEEP_ID, "project": project}, "configValidationWarnings": []}}
        if "SweepWithRuns" in query or ("sweep(" in query and "project(" in query):
            return {"project": {**project, "sweep": self._sweep()}}
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
        return {}

    def _sweep(self) -> dict[str, Any] | None:
        if self.sweep_config is None:
            return None
        import yaml

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

    def _heartbeat(self, variables: dict[str, Any]) -> list[dict[str, Any]]:
        state = json.loads(variables.get("runState") or "{}")
        with self._lock:
            self.heartbeats.append({"agent": variables.get("id"), "runState": state, "time": time.monotonic()})
            for run_id in sorted(self._running - set(state)):
                self.ended.append(run_id)
            self._running = (self._running & set(state)) | {r for r, alive in state.items() if alive}
            commands: list[dict[str, Any]] = []
            for run_id in self._pending_stops:
                commands.append({"type": "stop", "run_id": run_id})
            self._pending_stops = []
            while len(self.handed_out) < self.runs and len(self._running) < self.concurrent:
                run = self._next_run()
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

    def _next_run(self) -> HandedRun:
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
def stub_server(sweep_config: dict[str, Any] | None = None, runs: int = 0, concurrent: int = 1) -> Iterator[StubServer]:
    """A running stub; with `sweep_config`, it hands `runs` runs of it to agents (see the module doc)."""
    stub = StubServer(sweep_config, runs, concurrent)
    thread = threading.Thread(target=stub.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        stub.server.shutdown()
        stub.server.server_close()
