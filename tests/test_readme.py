"""The command-line blocks of the README and of docs/*.md are executed, so the docs cannot rot.

A fenced block right after `<!-- readme-test -->` is run; options after a colon:
- `file=NAME`: the block is the content of file NAME (written, not run);
- `requires=MODULE`: skipped while MODULE is not importable (e.g. a front-end not merged yet);
- `wandb-stub`: run against a local stand-in for W&B's server (tests/wandb_stub.py), and the
  config the real wandb client sent must equal the file given on the command line.
In a console block, `$ cmd` lines run in order (bash, in one temporary directory per page holding a
copy of examples/, with this interpreter's scripts first on PATH); each must exit 0, and every other
line is expected output: it must appear (trailing spaces aside) in what the commands print. A page's
blocks run in order in its directory, so a later block may use the files an earlier one wrote.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from wandb_stub import stub_server

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"<!-- readme-test(?::(?P<opts>[^>]*?))?\s*-->\s*\n```(?P<lang>\w*)\n(?P<body>.*?)\n```", re.S)


@dataclass
class Block:
    page: str
    line: int
    lang: str
    body: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    page = path.relative_to(ROOT).as_posix()
    found = []
    for m in BLOCK.finditer(text):
        opts = dict(o.split("=", 1) if "=" in o else (o, "") for o in (m["opts"] or "").split())
        found.append(Block(page, text.count("\n", 0, m.start()) + 1, m["lang"], m["body"], opts))
    return found


def commands(body: str) -> list[tuple[str, list[str]]]:
    """Console text → [(command, expected output lines)]."""
    out: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out and line.strip():
            out[-1][1].append(line.rstrip())
    return out


def _missing_module(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


def _run_block(block: Block, cwd: Path, env: dict[str, str]) -> str | None:
    """Run one block; return None on success, else what went wrong."""
    if "file" in block.options:
        (cwd / block.options["file"]).write_text(block.body + "\n")
        return None
    for cmd, expected in commands(block.body):
        run_env = dict(env)
        stub_ctx = stub_server() if "wandb-stub" in block.options else None
        stub = stub_ctx.__enter__() if stub_ctx else None
        try:
            if stub:
                run_env.update(stub.env(str(cwd)))
            proc = subprocess.run(
                cmd,
                shell=True,
                executable="/bin/bash",
                cwd=cwd,
                env=run_env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            sent = stub.upserted_configs() if stub else None
        finally:
            if stub_ctx:
                stub_ctx.__exit__(None, None, None)
        printed = [line.rstrip() for line in (proc.stdout + proc.stderr).splitlines()]
        if proc.returncode != 0:
            return f"`{cmd}` exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
        lost = [line for line in expected if line not in printed]
        if lost:
            return f"`{cmd}` did not print {lost}; it printed:\n" + "\n".join(printed)
        if sent is not None:
            written = yaml.safe_load((cwd / cmd.split()[-1]).read_text())
            if [json.dumps(yaml.safe_load(s), sort_keys=True) for s in sent] != [json.dumps(written, sort_keys=True)]:
                return f"`{cmd}`: the wandb client sent {sent}, not the file's content"
    return None


BLOCKS = [block for page in PAGES for block in blocks(page)]
_OUTCOMES: dict[str, dict[str, str | None]] = {}


def _run_page(page: str, tmp_path_factory) -> dict[str, str | None]:
    """Run a page's blocks in order in one directory; block id → None (ok), 'skip:...' or the failure."""
    cwd = tmp_path_factory.mktemp("page")
    shutil.copytree(ROOT / "examples", cwd / "examples")
    bindirs = [str(Path(sys.executable).parent)]
    if not (Path(sys.executable).parent / "sweepbridge").is_file():  # run from a checkout, not installed
        shim = tmp_path_factory.mktemp("bin")
        (shim / "sweepbridge").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sweepbridge "$@"\n')
        (shim / "sweepbridge").chmod(0o755)
        bindirs.insert(0, str(shim))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env["PATH"] = os.pathsep.join([*bindirs, env.get("PATH", "")])
    results: dict[str, str | None] = {}
    for block in (b for b in BLOCKS if b.page == page):
        module = block.options.get("requires")
        if module and _missing_module(module):
            results[block.id] = f"skip:{module} is not installed"
            continue
        results[block.id] = _run_block(block, cwd, env)
    return results


@pytest.mark.slow  # end to end: the CLI, `sweepbridge run`, wandb's client against the stub, `check` sampling
@pytest.mark.parametrize(
    "block", [pytest.param(b, id=b.id, marks=pytest.mark.xdist_group(f"docs:{b.page}")) for b in BLOCKS]
)
def test_readme_block(block, tmp_path_factory):
    # a page runs once per process, at its first block's test (under xdist, its blocks share one group)
    if block.page not in _OUTCOMES:
        _OUTCOMES[block.page] = _run_page(block.page, tmp_path_factory)
    outcome = _OUTCOMES[block.page][block.id]
    if outcome and outcome.startswith("skip:"):
        pytest.skip(outcome[5:])
    assert outcome is None, outcome


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_sweepbridge_command_in_the_docs_is_tested(page):
    text = page.read_text(encoding="utf-8")
    tested = {m.start("body") for m in BLOCK.finditer(text)}
    untested = [
        text.count("\n", 0, m.start()) + 1
        for m in re.finditer(r"```console\n(.*?)```", text, re.S)
        if "$ sweepbridge" in m[1] and m.start(1) not in tested
    ]
    assert not untested, f"console blocks with sweepbridge commands but no readme-test marker at lines {untested}"


def test_the_docs_have_executed_blocks():
    assert len(PAGES) > 1, "docs/*.md not found"
    assert any(b.page == "README.md" and b.lang == "console" for b in BLOCKS)
    assert sum(b.lang == "console" for b in BLOCKS) >= 4
