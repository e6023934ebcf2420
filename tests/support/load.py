"""Bounded load with ApacheBench (Debian's apache2-utils): a fixed request count, loopback only."""

import re
import subprocess


def ab(url: str, requests: int, connections: int = 64, max_seconds: int = 120) -> dict:
    assert url.startswith("http://127.0.0.1:"), "load goes to loopback only"
    argv = [
        "ab",
        "-q",
        "-k",
        "-r",
        "-s",
        "10",
        "-t",
        str(max_seconds),
        "-n",
        str(requests),
        "-c",
        str(connections),
    ]
    out = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=max_seconds + 30, check=True
    ).stdout

    def number(label: str) -> int:
        match = re.search(rf"^{label}:\s+(\d+)", out, re.M)
        return int(match.group(1)) if match else 0

    return {
        "complete": number("Complete requests"),
        "failed": number("Failed requests"),
        "non2xx": number("Non-2xx responses"),
        "exceptions": len(re.findall(r"apr_socket_recv|apr_poll|Connection reset", out)),
    }
