"""Development server: `python -m src.devserver [uvicorn's arguments]` is uvicorn with --reload, with
two changes to how a save replaces the worker. The worker is forked from this process, which has
imported the framework, instead of spawned as a fresh interpreter that imports FastAPI, Starlette,
Pydantic and uvicorn again on every save; the app (src.api) is imported only in the worker, so every
save starts it fresh, as uvicorn's reload does. And the next worker starts at once: the last one is
told to stop (SIGTERM: it finishes the requests it holds, as uvicorn's reload lets it) but not waited
for. Both serve the listening socket this process holds, so no connection is refused; the last one
stops accepting as soon as it is told, not at its next 0.1 s tick, so once the new code has
answered, a new connection does not reach the old code. (And the file watcher reports a change
after 10 ms without another, not uvicorn's 50: Tilt writes a save in one go.)"""

import asyncio
import functools
import multiprocessing
import sys
import threading

import fastapi  # noqa: F401  (imported once here; every forked worker inherits it)
import fastapi.responses  # noqa: F401
import pydantic  # noqa: F401
import uvicorn.main
from uvicorn import _subprocess, server
from uvicorn.supervisors import basereload, watchfilesreload

fork = multiprocessing.get_context("fork")


def forked_worker(config, target, sockets):
    """uvicorn._subprocess.get_subprocess, forked instead of spawned."""
    kwargs = {"config": config, "target": target, "sockets": sockets, "stdin_fileno": None}
    return fork.Process(target=_subprocess.subprocess_started, kwargs=kwargs)


def restart(self: basereload.BaseReload) -> None:
    """BaseReload.restart, with the next worker started before the last one has stopped."""
    last = self.process
    last.terminate()
    self.process = forked_worker(self.config, self.target, self.sockets)
    self.process.start()
    threading.Thread(target=last.join, daemon=True).start()  # reaped once it has finished


def handle_exit(self: server.Server, sig, frame) -> None:
    """Server.handle_exit, and the worker's listeners closed now (in its event loop) rather than at its
    next 0.1 s tick, while the requests it holds finish: the next worker takes every new connection."""
    exit_on_tick(self, sig, frame)
    loop = asyncio.get_running_loop()  # uvicorn installs this handler in serve(), on the loop's thread
    for listener in getattr(self, "servers", []):  # none before startup has bound them
        loop.call_soon_threadsafe(listener.close)


exit_on_tick = server.Server.handle_exit
server.Server.handle_exit = handle_exit
basereload.get_subprocess = forked_worker
basereload.BaseReload.restart = restart
watchfilesreload.watch = functools.partial(watchfilesreload.watch, step=10)

if __name__ == "__main__":
    sys.exit(uvicorn.main.main())
