"""``python -m spool.core.management.celery_child worker …``: Celery, as a child of ``manage.py serve``.

On Linux the child asks the kernel (``PR_SET_PDEATHSIG``) for SIGTERM when its parent dies, so a worker never
outlives a ``serve`` that was killed without the chance to stop it (even with SIGKILL). The parent's PID is
passed in ``SPOOL_PARENT_PID``; if the parent is already gone when we get here, we leave at once.
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> int:
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        parent = os.environ.get("SPOOL_PARENT_PID")
        if parent and str(os.getppid()) != parent:
            return 0
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
