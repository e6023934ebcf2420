"""The fake is only as good as its strictness: it must reject what Tilt rejects."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tilt.fake_tilt import Plan, run_tiltfile
from tests.tilt.tilt_rules import TiltfileError, TiltfileFailure

HELM = "load('ext://helm_resource', 'helm_resource')\n"
# One valid call per builtin; {kw} is where a stray keyword goes.
CALLS = {
    "version_settings": "version_settings(constraint='>=0.30.0'{kw})",
    "config.define_string": "config.define_string('a'{kw})",
    "config.define_string_list": "config.define_string_list('a'{kw})",
    "config.define_bool": "config.define_bool('a'{kw})",
    "config.parse": "config.parse({kw})",
    "os.getenv": "os.getenv('HOME', 'x'{kw})",
    "k8s_context": "k8s_context({kw})",
    "k8s_namespace": "k8s_namespace({kw})",
    "allow_k8s_contexts": "allow_k8s_contexts('kind-a'{kw})",
    "default_registry": "default_registry('r.example.com'{kw})",
    "docker_build": "docker_build('img', '.'{kw})",
    "fall_back_on": "docker_build('img', '.', live_update=[fall_back_on(['Dockerfile']{kw})])",
    "sync": "docker_build('img', '.', live_update=[sync('src', '/app/src'{kw})])",
    "run": "docker_build('img', '.', live_update=[run('true'{kw})])",
    "initial_sync": "docker_build('img', '.', live_update=[initial_sync({kw})])",
    "link": "link('localhost:1'{kw})",
    "local_resource": "local_resource('r', 'true'{kw})",
    "warn": "warn('w'{kw})",
    "helm_resource": HELM + "helm_resource('r', 'chart'{kw})",
    "k8s_resource": HELM + "helm_resource('r', 'chart')\nk8s_resource('r'{kw})",
}


def run(tmp_path: Path, source: str, **kwargs) -> Plan:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "src").mkdir(exist_ok=True)
    tiltfile = tmp_path / "Tiltfile"
    tiltfile.write_text(source)
    return run_tiltfile(tiltfile=tiltfile, **kwargs)


@pytest.mark.parametrize("name", CALLS)
def test_every_builtin_accepts_its_call_and_rejects_an_unknown_keyword(tmp_path, name):
    assert run(tmp_path, CALLS[name].format(kw="")).called(name)
    stray = ", bogus_kw=1" if "({kw})" not in CALLS[name] else "bogus_kw=1"
    with pytest.raises(TiltfileError, match=f"{name}: .*bogus_kw"):
        run(tmp_path, CALLS[name].format(kw=stray))


def test_fall_back_on_takes_gos_keyword_paths_not_the_docs_files(tmp_path):
    live = "docker_build('img', '.', live_update=[fall_back_on({}=['Dockerfile'])])"
    assert run(tmp_path, live.format("paths")).images["img"]["live_update"][0].args == ("Dockerfile",)
    with pytest.raises(TiltfileError, match="files"):
        run(tmp_path, live.format("files"))


def test_fail_is_a_failure_with_its_message(tmp_path):
    with pytest.raises(TiltfileFailure, match="^stop here$"):
        run(tmp_path, "fail('stop here')")


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ("sync('src', '/app'), fall_back_on('Dockerfile')", "fall_back_on steps must appear at the start"),
        ("run('true'), sync('src', '/app')", "all sync steps must precede all run steps"),
        ("sync('src', '/app'), initial_sync()", "initial_sync must appear at most once, at the start"),
        ("restart_container()", "restart_container\\(\\)` has been deprecated for k8s"),
        ("sync('src', 'app')", "must be an absolute path"),
        ("sync('..', '/app')", "not a child of any watched filepaths"),
    ],
)
def test_live_update_rules(tmp_path, steps, message):
    with pytest.raises(TiltfileError, match=message):
        run(tmp_path, f"docker_build('img', '.', live_update=[{steps}])")


def test_live_update_in_order_is_accepted(tmp_path):
    steps = "initial_sync(), fall_back_on('Dockerfile'), sync('src', '/app'), run('true', trigger='src')"
    plan = run(tmp_path, f"docker_build('img', '.', live_update=[{steps}])")
    assert [s.kind for s in plan.images["img"]["live_update"]] == [
        "initial_sync",
        "fall_back_on",
        "sync",
        "run",
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("sync('src', '/app')", "created but not used in a live_update"),
        ("default_registry('a.io')\ndefault_registry('b.io')", "default registry already defined"),
        ("docker_build('img', '.', dockerfile='Nope')", "error reading dockerfile"),
        ("docker_build('img', '.', only=['src/*.py'])", "does not support '\\*' file globs"),
        ("docker_build('img', '.')\ndocker_build('img', '.')", "has already been defined"),
        ("local_resource('r', 'true')\nlocal_resource('r', 'true')", "named 'r' already exists"),
        ("local_resource('r')", "must have a cmd and/or a serve_cmd"),
        ("local_resource('r', 'true', resource_deps=['nope'])", "dependency on unknown resource nope"),
        ("local_resource('r', 'true', labels=['-bad'])", "invalid label"),
        ("allow_k8s_contexts([1])", "must be a string or a sequence of strings"),
        ("k8s_resource('ghost')", "no workload named 'ghost'"),
        ("version_settings(constraint='>=99.0.0')", "the Tiltfile requires >=99.0.0"),
        (HELM + "helm_resource('r', 'c')\nhelm_resource('r', 'c')", "named 'r' already exists"),
    ],
)
def test_what_tilt_rejects(tmp_path, source, message):
    with pytest.raises(TiltfileError, match=message):
        run(tmp_path, source)


def test_serve_cmd_alone_is_a_local_resource(tmp_path):
    assert run(tmp_path, "local_resource('r', serve_cmd='sleep 1')").resources["r"]["serve_cmd"] == "sleep 1"


def test_helm_resource_reads_a_tuple_as_repo_and_tag_and_a_list_as_several_keys(tmp_path):
    keys = "image_deps=['img'], image_keys=[{}]"
    pair = run(tmp_path, HELM + "helm_resource('r', 'c', " + keys.format("('a.repo', 'a.tag')") + ")")
    many = run(tmp_path, HELM + "helm_resource('r', 'c', " + keys.format("['a.ref', 'b.ref']") + ")")
    triple = run(
        tmp_path, HELM + "helm_resource('r', 'c', " + keys.format("('a.reg', 'a.repo', 'a.tag')") + ")"
    )
    assert pair.resources["r"]["image_env"]["TILT_IMAGE_KEY_REPO_0_0"] == "a.repo"
    assert many.resources["r"]["image_env"]["TILT_IMAGE_KEY_0_1"] == "b.ref"
    assert triple.resources["r"]["image_env"]["TILT_IMAGE_KEY_REGISTRY_0_0"] == "a.reg"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("image_deps=['img'], image_keys=[]", "image_deps and image_keys must have the same length"),
        ("image_deps=['img', 'img'], image_keys=['a', 'b']", "image_deps should be unique"),
        ("image_deps=['img'], image_keys=[1]", "invalid argument to image_keys at 0: int"),
    ],
)
def test_helm_resource_checks_its_image_arguments(tmp_path, args, message):
    with pytest.raises(TiltfileFailure, match=message):
        run(tmp_path, HELM + f"helm_resource('r', 'c', {args})")
