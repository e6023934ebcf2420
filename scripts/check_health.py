"""Check that the api answers /health with exactly the expected JSON.

Usage: python3 scripts/check_health.py URL [--timeout SECONDS]

Retries until the timeout (a reload or rollout may be in progress), then exits 1
with the last reason. Standard library only: runs before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

EXPECTED = {"status": "ok", "service": "astrid-api"}


def check(url: str) -> str | None:
    """Return None when healthy, else the reason it is not."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (a developer-given http URL)
            body = resp.read().decode()
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} from {url}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"cannot reach {url}: {reason}"
    try:
        data = json.loads(body)
    except ValueError:
        return f"{url} answered non-JSON: {body[:200]!r}"
    if data != EXPECTED:
        return f"{url} answered {body.strip()}, expected {json.dumps(EXPECTED)}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to keep retrying (default 20)")
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.timeout
    while True:
        reason = check(args.url)
        if reason is None:
            print(f"healthy: {args.url} -> {json.dumps(EXPECTED)}")
            return 0
        if time.monotonic() >= deadline:
            print(f"unhealthy: {reason}", file=sys.stderr)
            return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
