"""Development server: `python -m src.devserver [uvicorn's arguments]` is uvicorn with --reload, whose
worker is forked from this process after the framework has been imported here, instead of spawned as
a fresh interpreter that imports FastAPI, Starlette, Pydantic and uvicorn again on every save. The app
(src.api) is imported only in each worker, so every save starts it fresh, as uvicorn's reload does."""

import multiprocessing
import sys

import fastapi  # noqa: F401  (imported once here; every forked worker inherits it)
import fastapi.responses  # noqa: F401
import pydantic  # noqa: F401
import uvicorn.main
from uvicorn import _subprocess
from uvicorn.supervisors import basereload


class Worker(multiprocessing.get_context("fork").Process):
    def terminate(self) -> None:
        """On a save the old worker is killed, not drained: a graceful stop takes 0.1-0.2 s."""
        self.kill()


def forked_worker(config, target, sockets):
    """uvicorn._subprocess.get_subprocess, forked instead of spawned."""
    kwargs = {"config": config, "target": target, "sockets": sockets, "stdin_fileno": None}
    return Worker(target=_subprocess.subprocess_started, kwargs=kwargs)


basereload.get_subprocess = forked_worker

if __name__ == "__main__":
    sys.exit(uvicorn.main.main())
