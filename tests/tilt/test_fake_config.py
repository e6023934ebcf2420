"""The fake's config.parse(): tilt_config.json, then the args after `--`, as Tilt's Go code does."""

from __future__ import annotations

import pytest

from tests.tilt.fake_config import Config


def config(*settings: tuple[str, str]) -> Config:
    out = Config()
    for kind, name in settings:
        out.define(kind, name, args=False, usage="")
    return out


SETTINGS = (("string", "s"), ("string_list", "l"), ("bool", "b"))


def test_config_settings_given_nowhere_are_absent():
    assert config(*SETTINGS).parse(None, []) == {}


def test_config_args_override_the_file_and_lists_accumulate():
    parsed = config(*SETTINGS).parse(
        '{"s": "file", "l": ["f"], "b": true}', ["--s=arg", "--l", "x", "-l", "y"]
    )
    assert parsed == {"s": "arg", "l": ["x", "y"], "b": True}


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ('{"nope": 1}', [], "unknown setting name 'nope'"),
        ('{"s": 1}', [], "invalid value for setting s"),
        (None, ["--s", "a", "--s", "b"], "string settings can only be specified once"),
        (None, ["--b=maybe"], "invalid boolean value"),
        (None, ["stray"], "positional args were specified"),
        (None, ["--s"], "flag needs an argument"),
    ],
)
def test_config_rejects_what_tilt_rejects(text, args, message):
    with pytest.raises(ValueError, match=message):
        config(*SETTINGS).parse(text, args)
