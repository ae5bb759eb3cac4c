"""Child processes that die with their parent, however the parent dies.

A parent that is asked to stop (SIGINT, SIGTERM, SIGHUP) stops its children itself; one
that is SIGKILLed, or crashes, runs no code any more. Linux's parent-death signal
(prctl PR_SET_PDEATHSIG) covers that case: the kernel signals the child when the thread
that started it ends. A grandchild needs it from its own parent: Celery's pool children
set SIGKILL on their worker, and gunicorn's workers leave once their master is gone.
Elsewhere than Linux there is no such signal, and children rely on their parent's stop.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def dying_with_parent(signum: signal.Signals) -> Callable[[], None] | None:
    """A `preexec_fn` for `subprocess.Popen`: the child gets `signum` when this thread ends."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)

    def set_parent_death_signal() -> None:
        if libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # the parent died before the prctl: no signal will come
            os.kill(os.getpid(), signum)

    return set_parent_death_signal
