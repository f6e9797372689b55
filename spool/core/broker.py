"""The embedded broker: Kombu's filesystem transport with messages that appear whole.

Kombu's own ``filesystem`` transport writes each message in place under its final ``*.msg`` name, so a
worker polling the folder can claim (rename) and read a file the producer is still writing and get half a
message — a JSON error, and the task is lost. Its consumer also "moves" claimed files to the system temp
folder, which is a copy followed by a delete when that folder is on another filesystem (a tmpfs ``/tmp``),
so two workers can both copy the same file and run the task twice.

Here a producer writes to a hidden ``.part`` name that no queue pattern matches and ``os.replace``s it to
its final name once it is complete and flushed; a consumer claims a message by ``os.rename`` into the
broker's own ``processed`` folder (same filesystem, so exactly one claimant wins) before reading it.
Selected with ``CELERY_BROKER_TRANSPORT`` (see ``spool.settings``); the URL stays ``filesystem://``.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

PART_SUFFIX = ".part"


class AtomicChannel(filesystem.Channel):
    # Kombu's own stubs disagree on the second parameter's name (``message`` in the base, ``payload`` in the
    # filesystem channel), so no signature satisfies both; this one keeps the filesystem channel's.
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # The leading dot and trailing suffix keep the half-written file out of every queue's pattern.
        partial = os.path.join(self.data_folder_out, f".{name}{PART_SUFFIX}")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
                f.flush()
                os.fsync(f.fileno())
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        wanted = f"{queue}.msg"
        claimed_dir = self.processed_folder
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(claimed_dir, name)
            try:
                # rename is atomic within one filesystem: if another worker got there first, this fails.
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except OSError:
                continue
            try:
                with open(claimed, "rb") as f:
                    payload = f.read()
                if not self.store_processed:
                    os.remove(claimed)
            except OSError as exc:
                raise ChannelError(f"Cannot read file {claimed!r} from queue.") from exc
            return loads(bytes_to_str(payload))
        raise Empty()


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = AtomicChannel
