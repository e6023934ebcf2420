"""The settings behind scripts/doctor.py, read as Tilt reads them (standard library only).

The Tiltfile stays the source of truth: the settings it defines (so what tilt_config.json may hold),
its laptop-cluster prefixes and its minimum Tilt version are read from its text. Values come from
tilt_config.json, then `tilt up -- ...` arguments, then the ASTRID_* environment fallbacks.
"""

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

# setting -> (environment fallback, default), as the Tiltfile reads them (pinned by tests/dev).
ENV_FALLBACKS = {
    "registry": ("ASTRID_REGISTRY", "astrid"),
    "namespace": ("ASTRID_NAMESPACE", ""),
    "port": ("ASTRID_PORT", "8080"),
}
TYPES = {"string": str, "string_list": list, "bool": bool}


class BadInput(Exception):
    """A setting Tilt itself would reject; reported in one line."""


@dataclass
class Settings:
    registry: str
    allowed: list[str]
    namespace: str
    create_namespace: bool
    port: int
    local_prefixes: list[str]
    min_tilt: tuple[int, ...]

    def is_local(self, context: str) -> bool:
        return any(context.startswith(prefix) for prefix in self.local_prefixes)


def version(text: str) -> tuple[int, ...] | None:
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(n) for n in found.groups()) if found else None


def boolean(text: str) -> bool:
    """Go's strconv.ParseBool, which Tilt applies to `--create-namespace=false`."""
    if text in ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"):
        return text[0] in "1tT"
    raise BadInput(f"{text!r} is not a boolean (true or false)")


def read_tiltfile(root: Path) -> tuple[dict[str, str], list[str], tuple[int, ...]]:
    """The settings the Tiltfile defines (name -> kind), its LOCAL_PREFIXES and its minimum Tilt."""
    try:
        text = (root / "Tiltfile").read_text()
    except OSError as exc:
        raise BadInput(f"cannot read {root / 'Tiltfile'}: {exc.strerror}") from None
    defs = {name: kind for kind, name in re.findall(r"config\.define_(\w+)\('([\w-]+)'", text)}
    prefixes = re.search(r"LOCAL_PREFIXES = (\[.*?\])", text, re.S)
    minimum = re.search(r"version_settings\(constraint='>=([\d.]+)'", text)
    if not (defs and prefixes and minimum):
        raise BadInput(
            "Tiltfile: config.define_*, LOCAL_PREFIXES or version_settings moved; update doctor_settings"
        )
    return defs, ast.literal_eval(prefixes[1]), version(minimum[1]) or (0, 0, 0)


def tilt_args(defs: dict[str, str], args: list[str]) -> dict:
    """Settings given as `tilt up -- --name value`; they replace tilt_config.json's, as in Tilt.

    Parsed like Tilt's flags: a bool is `--name` or `--name=false` (never `--name false`), a
    string takes `=value` or the next word, a list setting may repeat, anything else is refused.
    """
    given: dict = {}
    words = iter(args)
    for arg in words:
        name, has_value, value = arg.removeprefix("--").partition("=")
        kind = defs.get(name) if arg.startswith("--") else None
        if kind is None:
            raise BadInput(f"tilt up -- {' '.join(args)}: Tilt would refuse {arg!r} (not a setting)")
        if kind == "bool":
            given[name] = boolean(value) if has_value else True
            continue
        if not has_value:
            value = next(words, None)
            if value is None:
                raise BadInput(f"tilt up -- {' '.join(args)}: --{name} needs a value")
        if kind == "string_list":
            given.setdefault(name, []).append(value)
        else:
            given[name] = value
    return given


def load_settings(root: Path, args: list[str], env: dict[str, str]) -> Settings:
    """tilt_config.json beside the Tiltfile, then `tilt up -- ...` args, then the env fallbacks."""
    defs, prefixes, min_tilt = read_tiltfile(root)
    path = root / "tilt_config.json"
    try:
        cfg = json.loads(path.read_text()) if path.exists() else {}
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path} is not valid JSON ({exc}): fix it or delete it") from None
    if not isinstance(cfg, dict):
        raise BadInput(f'{path} must be a JSON object, e.g. {{"allow-context": ["do-nyc1-astrid"]}}')
    for key, value in cfg.items():
        kind = TYPES.get(defs.get(key, ""))
        if kind is None:
            raise BadInput(f"{path}: unknown setting {key!r}; the Tiltfile defines {', '.join(defs)}")
        if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
            raise BadInput(f"{path}: {key!r} must be a {defs[key].replace('_', ' ')}, not {value!r}")
    cfg.update(tilt_args(defs, args))
    # An empty value counts as unset, as in the Tiltfile (`... or 'default'`).
    get = {name: cfg.get(name, env.get(var, "")) or default for name, (var, default) in ENV_FALLBACKS.items()}
    allowed = cfg.get("allow-context", []) + [c for c in env.get("ASTRID_ALLOW_CONTEXT", "").split(",") if c]
    if not (get["port"].isdigit() and 0 < int(get["port"]) < 65536):
        raise BadInput(f"port {get['port']!r} is not a TCP port (tilt_config.json, --port or ASTRID_PORT)")
    create = cfg.get("create-namespace", False)
    return Settings(get["registry"], allowed, get["namespace"], create, int(get["port"]), prefixes, min_tilt)
