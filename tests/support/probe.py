"""An HTTP probe judged the way the kubelet judges httpGet probes."""

import time
import urllib.error

from tests.support.engines import get


def http_probe(url: str, timeout_seconds: float) -> bool:
    """Success is a status in 200..399 within timeoutSeconds."""
    try:
        status, _ = get(url, timeout_seconds)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        return False
    return 200 <= status < 400


def failures_until_restart(url: str, probe: dict, period: float, max_rounds: int) -> int | None:
    """Probe every `period` s; return the round at which failureThreshold consecutive failures
    would make the kubelet restart the container, or None if it never would in max_rounds."""
    consecutive = 0
    for round_ in range(1, max_rounds + 1):
        consecutive = 0 if http_probe(url, probe["timeoutSeconds"]) else consecutive + 1
        if consecutive >= probe["failureThreshold"]:
            return round_
        time.sleep(period)
    return None
