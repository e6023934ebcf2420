"""apply_cmd of astrid-api's CI stand-in for tilt-extensions' helm_resource (see Tiltfile).

Run by Tilt as `python3 apply.py [helm flags...]` with the env the Tiltfile builds plus Tilt's
TILT_IMAGE_i. Installs the release, then prints the deployed objects as YAML on stdout, which
is how Tilt learns what to watch. Everything else goes to stderr. Python 3.9+, stdlib only.
"""

import os
import re
import subprocess
import sys


def log_run(cmd, **kwargs):
    print(f"Running cmd: {cmd}", file=sys.stderr)
    return subprocess.run(cmd, check=True, **kwargs)


def split_image(ref):
    """'reg.io/team/app:tag' -> ('reg.io', 'team/app', 'tag'); registry '' when there is none.

    Like upstream, the first path part counts as a registry when the ref contains '.',
    'localhost' or a port.
    """
    first, slash, rest = ref.partition("/")
    hosted = slash and ("." in ref or "localhost" in ref or ref.count(":") > 1)
    registry, path = (first, rest) if hosted else ("", ref)
    repo, colon, tag = path.rpartition(":")
    if not colon:
        sys.exit(f"helm_resource: image {ref!r} has no tag")
    return registry, repo, tag


def image_flags(env):
    """The `--set` flags that put each built image TILT_IMAGE_i under its chart keys."""
    flags = []
    for i in range(int(env["TILT_IMAGE_COUNT"])):
        ref = env[f"TILT_IMAGE_{i}"]
        for j in range(int(env[f"TILT_IMAGE_KEY_COUNT_{i}"])):
            key, registry_key, repo_key, tag_key = (
                env.get(f"TILT_IMAGE_KEY_{part}{i}_{j}", "") for part in ("", "REGISTRY_", "REPO_", "TAG_")
            )
            if key:
                flags += ["--set", f"{key}={ref}"]
                continue
            registry, repo, tag = split_image(ref)
            if registry and registry_key:
                flags += ["--set", f"{registry_key}={registry}"]
            elif registry:
                repo = f"{registry}/{repo}"
            flags += ["--set", f"{repo_key}={repo}", "--set", f"{tag_key}={tag}"]
    return flags


def default_namespace(manifest, namespace):
    """Add `namespace:` to each object's metadata that lacks one (or has it empty), so
    `kubectl get -f -` looks in the release's namespace, not the kube context's. Objects are
    the documents, or for a `kind: List` document its items (the first indented `metadata:`)."""
    if not namespace:
        return manifest
    docs = re.split(r"^---[ \t]*$", manifest, flags=re.MULTILINE)
    for d, doc in enumerate(docs):
        lines = doc.split("\n")
        heads = [re.fullmatch(r"( *)metadata:\s*", line) for line in lines]
        is_list = re.search(r"^kind:\s*List\s*$", doc, flags=re.MULTILINE)
        levels = [h.group(1) for h in heads if h and bool(h.group(1)) == bool(is_list)]
        if not levels:
            continue
        level = levels[0]  # '' for one object; the items' indent for a List
        for i in reversed([i for i, h in enumerate(heads) if h and h.group(1) == level]):
            end = i + 1
            while end < len(lines) and (lines[end].startswith(level + " ") or not lines[end].strip()):
                end += 1
            lines[i + 1 : end] = with_namespace(lines[i + 1 : end], namespace)
        docs[d] = "\n".join(lines)
    return "---".join(docs)


def with_namespace(block, namespace):
    """One metadata block's lines, with an empty `namespace:` dropped and a missing one added."""
    fields = [line for line in block if line.strip()]
    indent = re.match(r" *", fields[0]).group(0) if fields else "  "
    block = [line for line in block if not re.fullmatch(indent + r"namespace:\s*", line)]
    if not any(re.match(indent + r"namespace:\s*\S", line) for line in block):
        block.insert(0, f"{indent}namespace: {namespace}")
    return block


def main():
    env = os.environ
    chart, release, namespace = env["CHART"], env["RELEASE_NAME"], env.get("NAMESPACE", "")
    ns = ["--namespace", namespace] if namespace else []

    if env.get("TILT_HELM_RELEASE_DEPENDENCY_UPDATE") == "true":
        log_run(["helm", "dependency", "update", chart], stdout=sys.stderr)
    if env.get("TILT_HELM_RELEASE_DEPENDENCY_BUILD") == "true":
        log_run(["helm", "dependency", "build", chart, "--skip-refresh"], stdout=sys.stderr)

    flags = sys.argv[1:] + image_flags(env)
    log_run(["helm", "upgrade", "--install", *flags, *ns, release, chart], stdout=sys.stderr)

    manifest = log_run(["helm", "get", "manifest", *ns, release], stdout=subprocess.PIPE, text=True).stdout
    log_run(["kubectl", "get", "-oyaml", "-f", "-"], input=default_namespace(manifest, namespace), text=True)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        sys.exit(f"helm_resource: {e.cmd} exited with {e.returncode}")
