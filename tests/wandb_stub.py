"""A local stand-in for W&B's server: the real wandb client talks to it over HTTP on 127.0.0.1.

It answers just the GraphQL the client sends to create a sweep (the Viewer query, the UpsertSweep
mutation) and accepts telemetry; every request is recorded so tests can read what the client sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SWEEP_ID = "stub0001"
ENTITY, PROJECT = "stub-entity", "stub-project"
API_KEY = "0123456789abcdef0123456789abcdef01234567"  # 40 characters, like a real key; never sent anywhere else


def _answer(query: str) -> dict[str, Any]:
    if "upsertSweep" in query:
        project = {"id": "p1", "name": PROJECT, "entity": {"id": "e1", "name": ENTITY}}
        return {"upsertSweep": {"sweep": {"name": SWEEP_ID, "project": project}, "configValidationWarnings": []}}
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


class StubServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                data: dict[str, Any] = {}
                if self.path.rstrip("/").endswith("graphql"):
                    request = json.loads(body)
                    stub.requests.append(request)
                    data = {"data": _answer(request.get("query", ""))}
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

    def upserted_configs(self) -> list[str]:
        """The `config` variable (YAML text) of every UpsertSweep mutation received."""
        return [r["variables"]["config"] for r in self.requests if "upsertSweep" in r.get("query", "")]

    def env(self, home: str) -> dict[str, str]:
        """Environment pointing the wandb client (and its wandb-core sidecar) at this stub."""
        return {
            "HOME": home,
            "WANDB_BASE_URL": self.url,
            "WANDB_API_KEY": API_KEY,
            "WANDB_MODE": "online",
            "WANDB_SILENT": "true",
            "WANDB_DIR": home,
            "WANDB_CONFIG_DIR": home,
            "WANDB_CACHE_DIR": home,
            "WANDB_ENTITY": ENTITY,
            "WANDB_PROJECT": PROJECT,
        }


@contextmanager
def stub_server() -> Iterator[StubServer]:
    stub = StubServer()
    thread = threading.Thread(target=stub.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        stub.server.shutdown()
        stub.server.server_close()
