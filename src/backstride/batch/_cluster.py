"""The Dask client a batch runs on: a local cluster of worker processes, or an existing scheduler.

The local cluster has one thread per worker process (the engine is numpy-bound and the GIL would
serialise threads) and is shut down when the batch ends, whatever happens. Ctrl-C is for this process
alone: at a terminal it goes to every process of the foreground group, and each worker process printed
its own traceback (KeyboardInterrupt, CancelledError, "Fatal Python error" when it was still importing)
while this process was already closing the cluster; so the workers start with SIGINT blocked.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import signal
import threading
from collections.abc import Iterator
from typing import Any

from backstride._errors import InputError


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int, *, connect_timeout_s: float = 30.0) -> Iterator[Any]:
    """A ``dask.distributed.Client``: on a fresh local cluster, or connected to ``scheduler``.

    Everything started here is closed on the way out, also after an error or Ctrl-C. A Ctrl-C while the
    cluster starts or closes is held until it is done (a cluster left half-built or half-closed made Dask's
    exit handler fail with "AssertionError: Status.init", or wait 10 s), then acts as usual; a second one
    acts at once.
    """
    try:
        distributed: Any = importlib.import_module("dask.distributed")
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise InputError(
            "backstride batch needs Dask: pip install 'backstride[batch]' (dask[distributed])"
        ) from exc

    cluster: Any = None
    client: Any = None
    quiet = contextlib.ExitStack()
    try:
        if scheduler is None:
            dask: Any = importlib.import_module("dask")
            # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers; setting it turns off glibc's
            # adaptive mmap threshold, so every large numpy temporary is mapped and unmapped afresh, which
            # made the engine about twice as slow on a worker as in a plain process (see docs/batch.md).
            with (
                interrupts_held(),
                _workers_without_ctrl_c(),
                dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}),
            ):
                cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # With the dashboard off the scheduler still serves health routes over HTTP, by default on
                    # port 8787; a random loopback port avoids a clash (and its warning) with another cluster.
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    # the workers write to this process's stderr, a job log: a worker's heartbeat that found
                    # the scheduler gone as the cluster closed logged an error with a traceback there; what
                    # goes wrong with a file is its failure row (a worker that dies too: WorkerError)
                    silence_logs=logging.CRITICAL,
                )
                client = distributed.Client(cluster.scheduler_address, timeout=connect_timeout_s)
        else:
            try:
                client = distributed.Client(scheduler, timeout=connect_timeout_s)
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        quiet.enter_context(_dask_quiet())
        yield client
    finally:
        with interrupts_held():
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()
        quiet.close()


@contextlib.contextmanager
def _dask_quiet() -> Iterator[None]:
    """Within this block Dask logs nothing below CRITICAL in this process (``distributed`` and below).

    What goes wrong during a run is the batch's to say, in one line: a lost scheduler made Dask's client log
    that it failed to reconnect, at times with a traceback, before the batch's own message, and a job log
    showed both; a worker that dies is its file's failure row. Each logger given a level of its own (Dask's
    configuration sets ``distributed.client``'s) is quietened too, since it does not follow its parent;
    every level is put back at the end.
    """
    loggers = [logging.getLogger("distributed")]
    loggers += [
        logger
        for name, logger in logging.Logger.manager.loggerDict.items()
        if name.startswith("distributed.") and isinstance(logger, logging.Logger) and logger.level
    ]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in levels:
            logger.setLevel(level)


def fetch(future: Any) -> Any:
    """The result of a finished task (its exception raised), with a Ctrl-C meanwhile held: one landing at
    the very start of a call that waits on Dask's loop made Dask log a NameError from its own clean-up."""
    with interrupts_held():
        return future.result()


def worker_count(client: Any) -> int:
    """How many workers the client's scheduler has (a Ctrl-C meanwhile held, as in :func:`fetch`)."""
    with interrupts_held():
        return len(client.nthreads())


def _on_main_thread_with_ctrl_c() -> bool:
    """Is this the main thread of a process where Ctrl-C raises KeyboardInterrupt (not ignored)?"""
    return threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) not in (
        signal.SIG_IGN,
        None,
    )


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold the first Ctrl-C pressed in this block until its end, then raise KeyboardInterrupt; a second
    one raises it at once (main thread only, as Python's signal handlers). SIGTERM is held alike where the
    command takes it as an interrupt (a handler of its own is set: ``backstride batch``), and raised at the
    end by that handler."""
    if not _on_main_thread_with_ctrl_c():
        yield
        return
    held: list[int] = []
    before: dict[int, Any] = {signal.SIGINT: signal.getsignal(signal.SIGINT)}
    term = signal.getsignal(signal.SIGTERM)
    if callable(term):
        before[signal.SIGTERM] = term

    def act(signum: int) -> None:
        # the handler this block replaced: Python's (KeyboardInterrupt), the command's (``Terminated``), or
        # an enclosing block's, which holds it in turn to its own end
        handler = before[signum]
        if not callable(handler):
            raise KeyboardInterrupt
        handler(signum, None)

    def hold(signum: int, _frame: object) -> None:
        if held:  # a second one acts at once; within an enclosing block, so that the block acts at once too
            act(signum)
            act(held[0])
            return
        held.append(signum)

    for signum in before:
        signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
    if held:
        act(held[0])


@contextlib.contextmanager
def _workers_without_ctrl_c() -> Iterator[None]:
    """Start the local cluster in this block: its worker processes never see Ctrl-C, now or when restarted.

    A process inherits the signal mask of the thread that starts it, and a thread that of the thread that
    starts it: SIGINT is blocked in this thread while the cluster starts its threads, which start the
    workers, so every worker has SIGINT blocked, and this thread takes it back at the end. POSIX only;
    elsewhere, and off the main thread, nothing changes.
    """
    if not hasattr(signal, "pthread_sigmask") or not _on_main_thread_with_ctrl_c():
        yield
        return
    from multiprocessing import resource_tracker

    # Python's resource tracker unblocks SIGINT in the thread that first starts it: started here, before
    # the block, it is never started by one of the cluster's threads
    resource_tracker.ensure_running()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
