"""`SweepConfig`: a plain-typed dict holding a W&B sweep config, with exact YAML/JSON I/O."""

from __future__ import annotations

import copy
import json
import os
import re
import stat
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SweepBridgeError
from .values import Plain, plain

KEY_ORDER = ("program", "name", "method", "metric", "metrics", "run_cap", "early_terminate", "parameters")
"""Top-level keys first in this order; any others follow in insertion order."""

_AMBIGUOUS = re.compile(r"^(?:$|[-+]?\.?[0-9]|[-+]?\.(?:inf|nan)$|(?:y|n|yes|no|true|false|on|off|null|~)$)", re.I)
"""Strings some YAML reader (1.1 or 1.2) could take for a number, bool or null: always quoted."""


_BREAKS = ("\x85", "\u2028", "\u2029")
"""YAML 1.1 line breaks (NEL, LS, PS): PyYAML folds NEL in plain and single-quoted scalars; escape them."""


@lru_cache(maxsize=4096)
def _style(value: str) -> str | None:
    """The scalar style a string needs (cached: keys and values repeat across parameters)."""
    if not value.isascii() and any(b in value for b in _BREAKS):
        return '"'
    return "'" if _AMBIGUOUS.match(value) else None


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=_style(value))


_RESOLVER = yaml.resolver.Resolver()


@lru_cache(maxsize=65536)
def _resolve_scalar(value: str, implicit: tuple[bool, bool]) -> str:
    """PyYAML's implicit tag of a scalar (a pure function of the text: no path resolvers are registered)."""
    return _RESOLVER.resolve(yaml.ScalarNode, value, implicit)


class _CachedResolve:
    """Implicit scalar tags from a cache (the parser and the emitter ask for every scalar)."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _resolve_scalar(value, implicit)
        return super().resolve(kind, value, implicit)  # type: ignore[misc]


def _dumper(base: type) -> type:
    """Our dumper on `base` (libyaml's CSafeDumper or PyYAML's SafeDumper): no aliases, strings
    quoted wherever some reader could take them for another type."""

    class Dumper(_CachedResolve, base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    Dumper.add_representer(str, _represent_str)
    return Dumper


PURE_DUMPER: type = _dumper(yaml.SafeDumper)
DUMPER: type = _dumper(yaml.CSafeDumper) if yaml.__with_libyaml__ else PURE_DUMPER
"""libyaml's emitter when present (3x faster); tests check it writes the same text as the pure one."""
PURE_LOADER: type = type("PureLoader", (_CachedResolve, yaml.SafeLoader), {})
LOADER: type = type("Loader", (_CachedResolve, yaml.CSafeLoader), {}) if yaml.__with_libyaml__ else PURE_LOADER
"""libyaml's parser when present (3x faster); tests check it reads the same data as the pure one."""

MAX_ALIAS_NODES = 100_000
"""Most nodes YAML aliases may add to a document once expanded (an alias bomb adds billions)."""


def dump_yaml(data: Plain, dumper: type = DUMPER) -> str:
    """Plain data as block-style YAML text, keys in their order."""
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a node graph whose aliases expand past MAX_ALIAS_NODES extra nodes, or refer to
    their own ancestor (iteratively, sizes memoised per node: linear in the distinct nodes)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            if sizes[key] > len(sizes) + MAX_ALIAS_NODES:
                raise SpecError(f"YAML aliases expand this document past {MAX_ALIAS_NODES:,} extra nodes.")
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise SpecError("a YAML alias refers to a node that contains it (a recursive document).")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node))


def load_yaml(text: str | bytes, loader: type = LOADER) -> Any:
    """`yaml.safe_load` with the alias expansion bounded (anchors need '&': other texts skip the check)."""
    reader = loader(text)
    try:
        node = reader.get_single_node()
        if node is None:
            return None
        if (b"&" if isinstance(text, bytes) else "&") in text:
            _check_aliases(node)
        return reader.construct_document(node)
    finally:
        reader.dispose()


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    head = {k: data[k] for k in KEY_ORDER if k in data}
    return {**head, **{k: v for k, v in data.items() if k not in head}}


EXTRAS = ("scheduler_source", "source_space", "approximations", "warnings")
"""What a translation knows beyond the W&B config itself (attributes of SweepConfig, never keys)."""


class SweepConfig(dict):
    """A W&B sweep config: `wandb.sweep(cfg)` accepts it as is; `cfg.save(path)` writes YAML.

    Beside the plain keys, the translation's result (kept by `copy()`, `copy.copy`, `copy.deepcopy`,
    pickling and `SweepConfig(cfg)`; `dict(cfg)` is the plain config alone):
    """

    scheduler_source: str | None = None
    """The generated Python file a `method: custom` sweep's `scheduler.source` names; `save` writes it
    beside the config as `<stem>_scheduler.py` (both files or neither), `load` reads it back."""
    source_space: Any = None
    """The user's search space as given (what `sweepbridge check` samples); None when not translated here."""
    approximations: dict[str, str]
    """Parameter path → the opt-in stand-in W&B's engine samples there (allow_approximate=True), with its
    exact total variation; empty when every parameter is exact."""
    warnings: tuple[str, ...]
    """The ApproximationWarning texts the translation issued (what differs from the source)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        data = plain(dict(*args, **kwargs))
        super().__init__(_ordered(data))  # type: ignore[arg-type]
        self.approximations, self.warnings = {}, ()
        if len(args) == 1 and not kwargs and isinstance(args[0], SweepConfig):
            self._take_extras(args[0])

    def _take_extras(self, other: SweepConfig) -> None:
        for name in EXTRAS:
            setattr(self, name, copy.copy(getattr(other, name)))

    def copy(self) -> SweepConfig:  # type: ignore[override]
        """A shallow copy that keeps the translation's extras (dict.copy would return a bare dict)."""
        return SweepConfig(self)

    def __copy__(self) -> SweepConfig:
        return SweepConfig(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> SweepConfig:
        out = SweepConfig(copy.deepcopy(dict(self), memo))
        for name in EXTRAS:  # the user's space is theirs: shared, not copied
            value = getattr(self, name)
            setattr(out, name, value if name == "source_space" else copy.deepcopy(value, memo))
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        return (SweepConfig, (dict(self),), {name: getattr(self, name) for name in EXTRAS})

    def problems(self) -> list[str]:
        """Validation problems of the current content (empty = valid)."""
        from .validation import validate_plain

        try:
            data = plain(dict(self))
        except SweepBridgeError as exc:  # e.g. a NaN or an object put in after construction
            return [str(exc)]
        return validate_plain(data)  # type: ignore[arg-type]

    def to_yaml(self) -> str:
        return dump_yaml(_ordered(plain(dict(self))))

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
        write_all_or_none([*files, (target, text)])
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
        cfg = cls.from_text(read_text(path))
        source = cfg.get("scheduler", {}).get("source") if isinstance(cfg.get("scheduler"), dict) else None
        if isinstance(source, str) and source and (Path(path).parent / source).is_file():
            # scheduler.source is relative to where `wandb sweep-scheduler` runs: the config's folder
            cfg.scheduler_source = read_text(Path(path).parent / source)
        return cfg


def read_text(path: str | os.PathLike[str]) -> str:
    """A file's UTF-8 text; unreadable or not UTF-8 → SpecError."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(
            f"{path} is not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start}); save it as UTF-8."
        ) from None


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
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"not valid YAML/JSON: {yaml_error_text(exc)}") from None
    except RecursionError:
        raise SpecError("the YAML text is nested too deeply.") from None


def write_atomic(target: str | os.PathLike[str], text: str) -> None:
    """Write `text` (UTF-8) to `target` via a temp file + rename: never a partial file; any OS
    failure is a SpecError. The temp name is short, so every legal target name works."""
    write_all_or_none([(Path(target), text)])


def _umask() -> int:
    """The process umask, read without changing it where Linux tells it (threads may be writing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _file_mode(target: Path) -> int:
    """The mode a plain `open(target, "w")` would leave: the file's own when it exists, else 0666
    less the umask (mkstemp's temp files are 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def write_all_or_none(files: list[tuple[Path, str]]) -> None:
    """Write every (target, text) via temp files + renames, or none of them: on any failure the
    temp files go and the targets already replaced get their old content back. OS failures are
    SpecErrors naming the target."""
    encoded = [(Path(target), text.encode("utf-8")) for target, text in files]  # before any file exists
    temps: list[tuple[Path, Path]] = []
    replaced: list[tuple[Path, bytes | None]] = []
    target = encoded[0][0] if encoded else Path()
    try:
        for target, data in encoded:
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:16]}.", suffix=".tmp")
            temps.append((Path(tmp), target))
            os.fchmod(fd, _file_mode(target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, target in temps:
            old = target.read_bytes() if target.is_file() else None
            os.replace(tmp, target)
            replaced.append((target, old))
    except BaseException as exc:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        for done, old in reversed(replaced):
            if old is None:
                done.unlink(missing_ok=True)
            else:
                done.write_bytes(old)
        if isinstance(exc, OSError):
            raise SpecError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
