"""The real Helm CLI (`helm template`) refuses values that would render an insecure or broken manifest,
naming the key (Helm prints a JSON pointer: `at '/api/securityContext/privileged'`). A null passed with
--set or in a -f file deletes the key before validation, so `required` is what refuses it."""

import json
import subprocess

import pytest
import yaml

from tests.conftest import require_engine
from tests.support.chart import CHART_DIR

P = pytest.param


@pytest.fixture(autouse=True)
def helm_cli():
    require_engine("helm", ["helm", "version"])


def template(*flags: str, values: dict | None = None, tmp_path=None) -> subprocess.CompletedProcess:
    argv = ["helm", "template", "astrid", str(CHART_DIR), *flags]
    if values is not None:
        file = tmp_path / "values.yaml"
        file.write_text(yaml.safe_dump(values))
        argv += ["-f", str(file)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def set_json(key: str, value) -> tuple[str, str]:
    return "--set-json", f"{key}={json.dumps(value)}"


SELECTOR_AND_MANAGED_LABELS = [
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/part-of",
    "helm.sh/chart",
]

REFUSED = [
    # Privilege.
    P(["--set", "api.securityContext.privileged=true"], "'/api/securityContext/privileged'", id="privileged"),
    P(
        ["--set", "api.securityContext.allowPrivilegeEscalation=true"],
        "'/api/securityContext/allowPrivilegeEscalation'",
        id="allowPrivilegeEscalation",
    ),
    P(
        [*set_json("api.securityContext.capabilities.drop", ["NET_RAW"])],
        "'/api/securityContext/capabilities/drop'",
        id="drop-without-ALL",
    ),
    P(
        [*set_json("api.securityContext.capabilities.add", ["SYS_ADMIN"])],
        "'/api/securityContext/capabilities/add/0'",
        id="add-SYS_ADMIN",
    ),
    P(["--set", "api.securityContext.runAsUser=0"], "'/api/securityContext/runAsUser'", id="container-uid-0"),
    P(["--set", "api.securityContext.procMount=Unmasked"], "'procMount' not allowed", id="procMount"),
    P(["--set", "api.securityContext=null"], "missing property 'securityContext'", id="securityContext-null"),
    P(
        ["--set", "api.securityContext.capabilities=null"],
        "missing property 'capabilities'",
        id="capabilities-null",
    ),
    P(
        ["--set", "api.podSecurityContext.runAsNonRoot=false"],
        "'/api/podSecurityContext/runAsNonRoot'",
        id="runAsNonRoot-false",
    ),
    P(["--set", "api.podSecurityContext.runAsUser=0"], "'/api/podSecurityContext/runAsUser'", id="uid-0"),
    P(["--set", "api.podSecurityContext.runAsUser=null"], "missing property 'runAsUser'", id="uid-null"),
    P(
        ["--set", "api.podSecurityContext.seccompProfile.type=Unconfined"],
        "'/api/podSecurityContext/seccompProfile/type'",
        id="seccomp-Unconfined",
    ),
    P(
        ["--set", "api.podSecurityContext.seccompProfile.type=Localhost"],
        "'/api/podSecurityContext/seccompProfile': missing property 'localhostProfile'",
        id="seccomp-Localhost-without-profile",
    ),
    P(
        ["--set", "api.podSecurityContext.seccompProfile=null"],
        "missing property 'seccompProfile'",
        id="seccomp-null",
    ),
    P(
        [*set_json("api.podSecurityContext.sysctls", [{"name": "kernel.msgmax", "value": "1"}])],
        "'/api/podSecurityContext/sysctls/0/name'",
        id="unsafe-sysctl",
    ),
    P(["--set", "api.podSecurityContext=null"], "missing property 'podSecurityContext'", id="pod-ctx-null"),
    # A BestEffort pod.
    P(["--set", "api.resources=null"], "at '/api': missing property 'resources'", id="resources-null"),
    P(
        ["--set", "api.resources.requests.cpu=null"],
        "at '/api/resources/requests': missing property 'cpu'",
        id="requests-cpu-null",
    ),
    P(
        ["--set", "api.resources.requests.memory=null"],
        "at '/api/resources/requests': missing property 'memory'",
        id="requests-memory-null",
    ),
    P(
        ["--set", "api.resources.limits.memory=null"],
        "at '/api/resources/limits': missing property 'memory'",
        id="limits-memory-null",
    ),
    P(["--set", "api.resources.limits.memory=lots"], "'/api/resources/limits/memory'", id="bad-quantity"),
    # Rollout.
    P(["--set", "api.strategy.type=OnDelete"], "'/api/strategy/type'", id="strategy-OnDelete"),
    # The dev reloader (the Tiltfile's `reloader` setting reaches the chart unchecked).
    P(["--set", "api.server.reloader=hot"], "'/api/server/reloader'", id="reloader-unknown"),
    P(["--set", "api.server.reloader=null"], "missing property 'reloader'", id="reloader-null"),
    P(
        ["--set", "api.strategy.rollingUpdate.maxSurge=0"],
        "'/api/strategy/rollingUpdate'",
        id="surge-0-unavail-0",
    ),
    P(["--set", "api.strategy=null"], "missing property 'strategy'", id="strategy-null"),
    # Shutdown.
    P(["--set", "api.preStopSleepSeconds=null"], "missing property 'preStopSleepSeconds'", id="preStop-null"),
    P(
        ["--set", "api.terminationGracePeriodSeconds=null"],
        "missing property 'terminationGracePeriodSeconds'",
        id="grace-null",
    ),
    # The probe path is spliced into the probes and into the test pod's Python.
    P(["--set-string", "api.probes.path=/health #x"], "'/api/probes/path'", id="path-comment"),
    P(["--set-string", "api.probes.path=/he alth"], "'/api/probes/path'", id="path-space"),
    P([*set_json("api.probes.path", "/health\nx: 1")], "'/api/probes/path'", id="path-newline"),
    P([*set_json("api.probes.path", '/health"+1#')], "'/api/probes/path'", id="path-quote"),
    P(["--set-string", "api.probes.path=health"], "'/api/probes/path'", id="path-relative"),
    P(["--set", "api.probes.startup=null"], "missing property 'startup'", id="probe-null"),
    # Selector and managed labels.
    *[
        P(
            ["--set", f"api.podLabels.{label.replace('.', chr(92) + '.')}=evil"],
            f"'/api/podLabels/{label.replace('/', '~1')}'",
            id=f"podLabel-{label}",
        )
        for label in SELECTOR_AND_MANAGED_LABELS
    ],
    P(["--set-string", "api.podLabels.team=a b"], "'/api/podLabels/team'", id="podLabel-bad-value"),
    # Configuration by values.
    P(
        ["--set", "api.env[0].name=UVICORN_PORT", "--set-string", "api.env[0].value=81"],
        "'/api/env/0/name'",
        id="env-UVICORN_PORT",
    ),
    P(
        ["--set", "api.env[0].name=UVICORN_WORKERS", "--set-string", "api.env[0].value=4"],
        "'/api/env/0/name'",
        id="env-UVICORN_WORKERS",
    ),
    P(
        ["--set", "api.env[0].name=ASTRID_API_DOCS", "--set-string", "api.env[0].value=true"],
        "'/api/env/0/name'",
        id="env-ASTRID",
    ),
    P(
        ["--set", "api.env[0].name=1BAD", "--set-string", "api.env[0].value=x"],
        "'/api/env/0/name'",
        id="env-bad-name",
    ),
    P(["--set", "api.env[0].name=PORT,api.env[0].value=8080"], "'/api/env/0/value'", id="env-number"),
    P(["--set", "api.env[0].name=EMPTY"], "'/api/env/0'", id="env-no-value"),
    P(
        [
            *set_json(
                "api.env",
                [{"name": "A", "value": "1", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
            )
        ],
        "'/api/env/0'",
        id="env-value-and-valueFrom",
    ),
    P(
        [*set_json("api.env", [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s"}}}])],
        "'/api/env/0/valueFrom/secretKeyRef': missing property 'key'",
        id="env-secretKeyRef-without-key",
    ),
    P(
        [*set_json("api.env", [{"name": "A", "value": "1", "valeu": "2"}])],
        "additional properties 'valeu' not allowed",
        id="env-unknown-key",
    ),
    P(
        [
            *set_json(
                "api.env", [{"name": "A", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}]
            )
        ],
        "'/api/env/0/valueFrom'",
        id="env-unsupported-valueFrom",
    ),
    P(
        [*set_json("api.envFrom", [{"secretRef": {"name": "a"}, "configMapRef": {"name": "b"}}])],
        "'/api/envFrom/0'",
        id="envFrom-two-sources",
    ),
    P([*set_json("api.envFrom", [{"prefix": "X_"}])], "'/api/envFrom/0'", id="envFrom-no-source"),
    P(
        [*set_json("api.envFrom", [{"secretRef": {"name": "a"}, "prefix": "ASTRID_"}])],
        "'/api/envFrom/0/prefix'",
        id="envFrom-ASTRID-prefix",
    ),
    P(
        [*set_json("api.envFrom", [{"secretRef": {"name": "Not_A_Name"}}])],
        "'/api/envFrom/0/secretRef/name'",
        id="envFrom-bad-name",
    ),
    # NetworkPolicy.
    P(
        ["--set-string", "api.networkPolicy.enabled=yes"],
        "'/api/networkPolicy/enabled'",
        id="np-enabled-string",
    ),
    P(
        [*set_json("api.networkPolicy.from", [{"namespaceSelector": {}}])],
        "'/api/networkPolicy/from/0/namespaceSelector'",
        id="np-empty-selector-is-everyone",
    ),
    P(
        [*set_json("api.networkPolicy.from", [{"ipBlock": {"cidr": "0.0.0.0/0"}}])],
        "additional properties 'ipBlock' not allowed",
        id="np-ipBlock",
    ),
    P([*set_json("api.networkPolicy.from", [{}])], "'/api/networkPolicy/from/0'", id="np-empty-peer"),
    P(["--set", "api.networkPolicy=null"], "missing property 'networkPolicy'", id="np-null"),
    # Debugging (development only).
    P(["--set-string", "api.debug.enabled=yes"], "'/api/debug/enabled'", id="debug-enabled-string"),
    P(["--set", "api.debug.port=0"], "'/api/debug/port'", id="debug-port-zero"),
    P(["--set", "api.debug.port=70000"], "'/api/debug/port'", id="debug-port-too-high"),
    P(["--set", "api.debug.host=0.0.0.0"], "additional properties 'host' not allowed", id="debug-host"),
    P(["--set", "api.debug=null"], "missing property 'debug'", id="debug-null"),
]


@pytest.mark.parametrize(("flags", "named"), REFUSED)
def test_helm_refuses_naming_the_key(flags, named):
    result = template(*flags)
    assert result.returncode != 0, result.stdout[-500:]
    assert "values don't meet the specifications of the schema" in result.stderr
    assert named in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("values", "named"),
    [
        P({"api": {"resources": None}}, "missing property 'resources'", id="resources"),
        P({"api": {"preStopSleepSeconds": None}}, "missing property 'preStopSleepSeconds'", id="preStop"),
        P({"api": {"securityContext": {"capabilities": None}}}, "missing property 'capabilities'", id="caps"),
    ],
)
def test_a_null_in_a_values_file_deletes_the_key_and_required_refuses_it(tmp_path, values, named):
    result = template(values=values, tmp_path=tmp_path)
    assert result.returncode != 0, result.stdout[-500:]
    assert named in result.stderr, result.stderr


DEV = str(CHART_DIR / "values-dev.yaml")


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        P(["--set", "api.debug.enabled=true"], "needs api.server.reload true", id="debug-in-production"),
        P(
            ["-f", DEV, "--set", "api.debug.enabled=true", "--set", "api.debug.port=80"],
            "api.debug.port must differ from api.containerPort",
            id="debug-on-the-api-port",
        ),
    ],
)
def test_the_chart_refuses_debugging_it_cannot_run(flags, named):
    result = template(*flags)
    assert result.returncode != 0, result.stdout[-500:]
    assert named in result.stderr, result.stderr


def objects(result: subprocess.CompletedProcess) -> dict[str, dict]:
    assert result.returncode == 0, result.stderr
    return {doc["kind"]: doc for doc in yaml.safe_load_all(result.stdout) if doc and doc["kind"] != "Pod"}


ACCEPTED = [
    P([], id="defaults"),
    P(["-f", str(CHART_DIR / "values-dev.yaml")], id="dev"),
    P(["--set", "api.podLabels.team=payments"], id="own-label"),
    P(["--set-string", "api.probes.path=/healthz/ready"], id="nested-path"),
    P([*set_json("api.securityContext.capabilities.add", ["NET_BIND_SERVICE"])], id="add-NET_BIND_SERVICE"),
    P(
        [
            *set_json(
                "api.podSecurityContext.seccompProfile", {"type": "Localhost", "localhostProfile": "p.json"}
            )
        ],
        id="seccomp-Localhost",
    ),
    P(["--set", "api.strategy.rollingUpdate.maxSurge=25%"], id="surge-percent"),
    P(["-f", DEV, "--set", "api.debug.enabled=true", "--set", "api.debug.wait=true"], id="dev-debug"),
    P(
        ["-f", DEV, "--set", "api.debug.enabled=true", "--set", "api.server.reloader=uvicorn"],
        id="debug-uvicorn",
    ),
]


@pytest.mark.parametrize("flags", ACCEPTED)
def test_helm_accepts_good_values(flags):
    assert "Deployment" in objects(template(*flags))


def test_recreate_renders_without_rolling_update():
    """The API refuses rollingUpdate with type Recreate; the defaults' rollingUpdate stays out of it."""
    strategy = objects(template("--set", "api.strategy.type=Recreate"))["Deployment"]["spec"]["strategy"]
    assert strategy == {"type": "Recreate"}
    default = objects(template())["Deployment"]["spec"]["strategy"]
    assert default == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}


def test_env_and_network_policy_values_pass_the_real_cli():
    env = [
        {"name": "GREETING", "value": "hello"},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "astrid-db", "key": "password"}}},
        {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "astrid-config", "key": "mode"}}},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]
    env_from = [{"secretRef": {"name": "astrid-secrets"}}, {"configMapRef": {"name": "c"}, "prefix": "CFG_"}]
    peers = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}}}]
    rendered = objects(
        template(
            *set_json("api.env", env),
            *set_json("api.envFrom", env_from),
            "--set",
            "api.networkPolicy.enabled=true",
            *set_json("api.networkPolicy.from", peers),
        )
    )
    api = rendered["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert api["env"][-len(env) :] == env
    assert api["envFrom"] == env_from
    assert rendered["NetworkPolicy"]["spec"]["ingress"][0]["from"][1:] == peers
