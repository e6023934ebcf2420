"""delete_cmd of astrid-api's CI stand-in for tilt-extensions' helm_resource (see Tiltfile).

Run by Tilt as `python3 delete.py [uninstall flags...]` with RELEASE_NAME and NAMESPACE set.
Uninstalls the release if `helm status` finds it; like upstream, always exits 0.
"""

import os
import subprocess
import sys

release = os.environ["RELEASE_NAME"]
namespace = os.environ.get("NAMESPACE", "")
ns = ["--namespace", namespace] if namespace else []

quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
if subprocess.run(["helm", "status", release, *ns], **quiet).returncode == 0:
    uninstall = ["helm", "uninstall", release, *ns, *sys.argv[1:]]
    print("Running cmd: " + " ".join(uninstall), file=sys.stderr)
    subprocess.run(uninstall)
