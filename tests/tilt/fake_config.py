"""Tilt's `config` module: `config.define_*` and `config.parse()`.

Follows internal/tiltfile/config (config_def.go, string.go, string_list.go): settings come from
tilt_config.json beside the Tiltfile, then from the Tiltfile args (what follows `--` on
`tilt up`), parsed like Go's `flag` package; an arg that was set replaces the file's value.
A setting given nowhere is absent from the dict; a JSON `null` gives the zero value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

CONFIG_FILE = "tilt_config.json"
ZERO: dict[str, Any] = {"string": "", "string_list": [], "bool": False}
GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


@dataclass
class Config:
    kinds: dict[str, str] = field(default_factory=dict)  # setting name -> string | string_list | bool
    usage: dict[str, str] = field(default_factory=dict)
    positional: str = ""
    parsed: bool = False

    def define(self, kind: str, name: str, args: bool, usage: str) -> None:
        if self.parsed:
            raise ValueError(f"config.define_{kind} cannot be called after config.parse is called")
        if not name:
            raise ValueError("'name' is required")
        if name in self.kinds:
            raise ValueError(f"{name} defined multiple times")
        if args:
            if self.positional:
                raise ValueError(f"both {name} and {self.positional} are defined as positional args")
            self.positional = name
        self.kinds[name] = kind
        self.usage[name] = usage

    def parse(self, config_json: str | None, args: list[str]) -> dict[str, Any]:
        self.parsed = True
        return {**self._from_file(config_json), **self._from_args(args)}

    def _from_file(self, text: str | None) -> dict[str, Any]:
        if text is None:  # a missing file is fine
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"error parsing json from {CONFIG_FILE}: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError(f"error parsing json from {CONFIG_FILE}: not an object")
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key not in self.kinds:
                raise ValueError(f"{CONFIG_FILE} specified unknown setting name '{key}'")
            kind = self.kinds[key]
            if value is None:
                out[key] = ZERO[kind]
            elif kind == "string_list" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                out[key] = list(value)
            elif (kind == "string" and isinstance(value, str)) or (
                kind == "bool" and isinstance(value, bool)
            ):
                out[key] = value
            else:
                raise ValueError(f"{CONFIG_FILE} specified invalid value for setting {key}: expected {kind}")
        return out

    def _from_args(self, args: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        rest = list(args)
        while rest:
            arg = rest[0]
            if arg == "--":
                rest.pop(0)
                break
            if len(arg) < 2 or not arg.startswith("-"):
                break  # Go's flag package stops at the first non-flag
            rest.pop(0)
            name, has_value, value = arg.lstrip("-").partition("=")
            kind = self.kinds.get(name) if name != self.positional else None
            if kind is None:
                raise ValueError(f"flag provided but not defined: -{name}")
            if kind == "bool":
                if has_value and value not in GO_TRUE | GO_FALSE:
                    raise ValueError(f'invalid boolean value "{value}" for -{name}')
                out[name] = not has_value or value in GO_TRUE
                continue
            if not has_value:
                if not rest:
                    raise ValueError(f"flag needs an argument: -{name}")
                value = rest.pop(0)
            self._set(out, name, kind, value)
        if rest and not self.positional:
            raise ValueError(
                "positional args were specified, but none were expected (no setting defined with args=True)"
            )
        for value in rest:
            self._set(out, self.positional, self.kinds[self.positional], value)
        return out

    @staticmethod
    def _set(out: dict[str, Any], name: str, kind: str, value: str) -> None:
        if kind == "string_list":
            out.setdefault(name, []).append(value)
        elif name in out:
            raise ValueError(f"string settings can only be specified once. multiple values found ({value})")
        else:
            out[name] = value
