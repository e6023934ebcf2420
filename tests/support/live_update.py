"""Tilt's live update, done the way Tilt does it on Kubernetes.

Tilt archives each changed file (one tar entry per file, uid/gid 0, the local
mtime; a directory entry only when a whole directory is synced) and pipes it into
`tar -C / -x -f -`, exec'd in the container as the container's own user.
"""

import io
import subprocess
import tarfile
from pathlib import Path

from tests.support.engines import ROOT

SYNC_TARGET = "/app/src/api"  # the Tiltfile's sync() remote path (pinned by tests/contract)


def archive(files: dict[str, bytes], directories: tuple[str, ...] = ()) -> bytes:
    """A tar stream like Tilt's for container paths -> contents."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for directory in directories:
            info = tarfile.TarInfo(directory.lstrip("/"))
            info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, 0o755, 0, 0
            tar.addfile(info)
        for path, content in files.items():
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size, info.mode, info.uid, info.gid = len(content), 0o644, 0, 0
            info.mtime = int(Path(__file__).stat().st_mtime)
            tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def sync(container: str, payload: bytes) -> subprocess.CompletedProcess:
    """Exec Tilt's tar command in the container as its default user."""
    return subprocess.run(
        ["docker", "exec", "-i", container, "tar", "-C", "/", "-x", "-f", "-"],
        input=payload,
        capture_output=True,
        timeout=60,
    )


def changed_main(route: str, token: str) -> bytes:
    """src/api/main.py as a developer might save it: plus a route answering {"token": token}."""
    source = (ROOT / "src" / "api" / "main.py").read_text()
    return (
        source + f'\n\n@app.get("{route}")\nasync def _probe() -> dict:\n    return {{"token": "{token}"}}\n'
    ).encode()
