"""Runs inside the api pod, as `kubectl exec … python -u -c <this file> PORT` from bench.save_stages
(no stdin: fed over a closed stdin, it stopped reporting after 10 saves in one run): for each
change of main.py, one JSON line with the save's number, when the file landed, and when the pod first
served it on 127.0.0.1:PORT (polled every 2 ms). Only the image's own packages: watchfiles, stdlib."""

import json
import re
import sys
import time
import urllib.request

from watchfiles import watch


def served(port: int, n: int) -> float:
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench-probe", timeout=1) as r:  # noqa: S310
                if json.loads(r.read()).get("save") == n:
                    return time.time()
        except Exception:  # noqa: BLE001, S110 (reloading: try again)
            pass
        time.sleep(0.002)


def main(port: int) -> None:
    for _ in watch("/app/src/api", step=1, rust_timeout=600000):
        landed = time.time()
        found = re.search(r'"save": (\d+)', open("/app/src/api/main.py").read())  # noqa: SIM115
        if found:
            n = int(found[1])
            print(json.dumps({"save": n, "landed": landed, "pod": served(port, n)}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
