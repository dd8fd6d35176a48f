"""`SweepConfig`: a plain-typed dict holding a W&B sweep config, with exact YAML/JSON I/O."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SweepBridgeError
from .values import plain

KEY_ORDER = ("program", "name", "method", "metric", "run_cap", "early_terminate", "parameters")
"""Top-level keys first in this order; any others follow in insertion order."""

_AMBIGUOUS = re.compile(r"^(?:$|[-+]?\.?[0-9]|[-+]?\.(?:inf|nan)$|(?:y|n|yes|no|true|false|on|off|null|~)$)", re.I)
"""Strings some YAML reader (1.1 or 1.2) could take for a number, bool or null: always quoted."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


_BREAKS = ("\x85", "\u2028", "\u2029")
"""YAML 1.1 line breaks (NEL, LS, PS): PyYAML folds NEL in plain and single-quoted scalars; escape them."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if any(b in value for b in _BREAKS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    style = "'" if _AMBIGUOUS.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    head = {k: data[k] for k in KEY_ORDER if k in data}
    return {**head, **{k: v for k, v in data.items() if k not in head}}


class SweepConfig(dict):
    """A W&B sweep config: `wandb.sweep(cfg)` accepts it as is; `cfg.save(path)` writes YAML."""

    scheduler_source: str | None = None
    """The generated Python file a `method: custom` sweep's `scheduler.source` names; `save` writes it
    beside the config as `<stem>_scheduler.py` (both files or neither), `load` reads it back."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        data = plain(dict(*args, **kwargs))
        super().__init__(_ordered(data))  # type: ignore[arg-type]

    def problems(self) -> list[str]:
        """Validation problems of the current content (empty = valid)."""
        from .validation import validate

        try:
            data = plain(dict(self))
        except SweepBridgeError as exc:  # e.g. a NaN or an object put in after construction
            return [str(exc)]
        return validate(data)

    def to_yaml(self) -> str:
        return yaml.dump(_ordered(plain(dict(self))), Dumper=_Dumper, sort_keys=False, allow_unicode=True)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(_ordered(plain(dict(self))), indent=indent, allow_nan=False, ensure_ascii=False)

    def __str__(self) -> str:
        return self.to_yaml()

    def save(self, path: str | os.PathLike[str], *, format: str | None = None) -> Path:
        """Validate, then write YAML (or JSON for *.json / format="json") atomically to `path`."""
        problems = self.problems()
        if problems:
            raise SpecError("not saving an invalid sweep config:\n  " + "\n  ".join(problems))
        target = Path(path)
        fmt = format or ("json" if target.suffix.lower() == ".json" else "yaml")
        if fmt not in ("yaml", "json"):
            raise SpecError(f"format must be yaml or json, got {fmt!r}.")
        files = []
        if self.scheduler_source is not None:
            companion = target.with_name(f"{target.stem}_scheduler.py")
            self["scheduler"] = {**self["scheduler"], "source": companion.name}
            files.append((companion, self.scheduler_source))
        text = self.to_json() + "\n" if fmt == "json" else self.to_yaml()
        try:
            write_all_or_none([*files, (target, text)])
        except OSError as exc:
            raise SpecError(f"cannot write {target}: {exc.strerror or exc}") from None
        return target

    @classmethod
    def from_text(cls, text: str) -> SweepConfig:
        """Parse JSON or YAML text (safe loader only).

        JSON is read as JSON: PyYAML's YAML 1.1 reader would take numbers like 1e-05 for strings.
        """
        data = parse_text(text)
        if not isinstance(data, dict):
            raise SpecError(f"a sweep config is a mapping, got {type(data).__name__}.")
        return cls(data)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SweepConfig:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError(f"cannot read {path}: {exc.strerror}") from None
        cfg = cls.from_text(text)
        source = cfg.get("scheduler", {}).get("source") if isinstance(cfg.get("scheduler"), dict) else None
        if isinstance(source, str) and source and (Path(path).parent / source).is_file():
            try:  # scheduler.source is relative to where `wandb sweep-scheduler` runs: the config's folder
                cfg.scheduler_source = (Path(path).parent / source).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SpecError(f"cannot read the scheduler source {source}: {exc}") from None
        return cfg


def yaml_error_text(exc: Exception) -> str:
    """A YAML error in one line: what is wrong and where (line, column)."""
    problem = getattr(exc, "problem", None)
    if not problem:
        return " ".join(str(exc).split())
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    context = getattr(exc, "context", None)
    return f"{context + ': ' if context else ''}{problem}{where}"


def parse_text(text: str | bytes) -> Any:
    """JSON or YAML text → plain data (safe loader only; JSON is read as JSON, since PyYAML's
    YAML 1.1 reader would take numbers like 1e-05 for strings). Any failure is a SpecError."""
    if not isinstance(text, (str, bytes)):
        raise SpecError(f"sweep config text must be str, got {type(text).__name__}.")
    try:
        return json.loads(text)
    except ValueError:
        pass
    except RecursionError:
        raise SpecError("the JSON text is nested too deeply.") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"not valid YAML/JSON: {yaml_error_text(exc)}") from None
    except RecursionError:
        raise SpecError("the YAML text is nested too deeply.") from None


def write_atomic(target: Path, text: str) -> None:
    """Write `text` to `target` via a temp file + rename: never a partial file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all_or_none(files: list[tuple[Path, str]]) -> None:
    """Write every (target, text) via temp files + renames; on any failure restore what was there."""
    temps: list[tuple[Path, Path]] = []
    replaced: list[tuple[Path, bytes | None]] = []
    try:
        for target, text in files:
            fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
            temps.append((Path(tmp), target))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, target in temps:
            old = target.read_bytes() if target.is_file() else None
            os.replace(tmp, target)
            replaced.append((target, old))
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        for target, old in reversed(replaced):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(old)
        raise
