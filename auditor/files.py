"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file of its own beside ``target``, then rename it into place: a crash never
    leaves half a file under the final name, and two writers of the same file at once do not collide (each
    has its own temporary file; the later rename wins, harmlessly when both wrote the same bytes). The data
    reach the disk before the rename. The file
    gets the permissions the umask gives any new file (mkstemp's would be the owner's alone), so a report
    written for others stays readable by them."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.parent / f".{target.name[:40]}-{uuid.uuid4().hex}.part"
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            # On the disk before the rename: after a power cut the name shows the whole new file, not an
            # empty one (ext4 and others may order the rename before the data).
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
