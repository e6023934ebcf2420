"""The laptop's link to the cluster, in CI's DOKS stand-in: toxics on toxiproxy's two proxies.

CI's DOKS stand-in (docs/development.md) routes the laptop side (kubectl, helm, Tilt, Docker's pushes)
to the API server and the registry through toxiproxy (API on 127.0.0.1:8474, proxies `apiserver` and
`registry`); the node pulls from the registry directly. `link()` adds latency = RTT/2 on each direction
of both proxies and a bandwidth cap on the uplink (upstream: laptop → cluster) and, if set, the downlink,
and always removes them again. RTT 0 and no caps add nothing, so the bench also runs on a real DOKS
cluster (where there is no toxiproxy)."""

import gzip
import json
import re
import subprocess
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.report import BenchError
from bench.tools import inspect

API = "http://127.0.0.1:8474"
PROXIES = ("apiserver", "registry")
PREFIX = "astrid-bench-"  # our toxics' names; only these are ever removed


def _call(method: str, path: str, body: dict | None = None) -> bytes:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)  # noqa: S310 (loopback constant)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
        return resp.read()


def _toxic(kind: str, stream: str, **attributes: int) -> dict:
    return {"name": f"{PREFIX}{kind}-{stream}", "type": kind, "stream": stream, "attributes": attributes}


def _toxics(rtt_ms: float, uplink_kbps: int, downlink_kbps: int) -> list[dict]:
    """toxiproxy's toxics for one proxy; bandwidth rates are KB/s (1000 bytes), 0 = no cap."""
    toxics = []
    for stream, rate in (("upstream", uplink_kbps), ("downstream", downlink_kbps)):
        if rtt_ms:
            toxics.append(_toxic("latency", stream, latency=round(rtt_ms / 2), jitter=0))
        if rate:
            toxics.append(_toxic("bandwidth", stream, rate=rate))
    return toxics


def clear() -> None:
    """Remove every toxic this bench adds (by name), wherever one is left from an interrupted run."""
    for proxy in PROXIES:
        for toxic in json.loads(_call("GET", f"/proxies/{proxy}/toxics")):
            if toxic["name"].startswith(PREFIX):
                _call("DELETE", f"/proxies/{proxy}/toxics/{toxic['name']}")


@contextmanager
def link(rtt_ms: float, uplink_kbps: int = 0, downlink_kbps: int = 0) -> Iterator[None]:
    """Within the block, the laptop reaches the API server and the registry at this distance."""
    toxics = _toxics(rtt_ms, uplink_kbps, downlink_kbps)
    if not toxics:
        yield
        return
    try:
        clear()
        for proxy in PROXIES:
            for toxic in toxics:
                _call("POST", f"/proxies/{proxy}/toxics", toxic)
    except (OSError, urllib.error.HTTPError) as exc:
        raise BenchError(f"toxiproxy at {API} ({exc}): is CI's DOKS stand-in up?") from exc
    try:
        yield
    finally:
        clear()


def bytes_through() -> int | None:
    """Bytes toxiproxy-server has read so far (both proxies, both directions); None without one."""
    for status in Path("/proc").glob("[0-9]*/comm"):
        try:
            if status.read_text().strip() == "toxiproxy-serve":  # comm is cut to 15 characters
                io = (status.parent / "io").read_text()
                return int(next(line.split()[1] for line in io.splitlines() if line.startswith("rchar:")))
        except OSError:
            continue
    return None


def pushed_bytes(push_log: str) -> tuple[int, int, int, int] | None:
    """(layers pushed, layers the registry had, bytes pushed, bytes of all layers) from a `tilt ci`
    log: the layers Docker reported `Pushed`, each gzipped at level 6 as Docker's push compresses them
    (an estimate of what went over the link), and all the image's layers (a push to an empty registry)."""
    ref = re.search(r"Pushing (\S+:tilt-\w+)", push_log)
    pushed = set(re.findall(r"(\w{12}): Pushed", push_log))
    existed = len(re.findall(r"\w{12}: Layer already exists", push_log))
    if ref is None:
        return None
    diff_ids = [d.removeprefix("sha256:")[:12] for d in inspect(ref[1])["RootFS"]["Layers"]]
    total = everything = 0
    with tempfile.TemporaryFile() as saved:
        subprocess.run(["docker", "save", ref[1]], stdout=saved, check=True, timeout=300)
        saved.seek(0)
        with tarfile.open(fileobj=saved) as tar:
            layers = json.load(tar.extractfile("manifest.json"))[0]["Layers"]  # in diff_ids' order
            for diff_id, member in zip(diff_ids, layers, strict=True):
                size = len(gzip.compress(tar.extractfile(member).read(), 6))
                everything += size
                total += size if diff_id in pushed else 0
    return len(pushed), existed, total, everything
