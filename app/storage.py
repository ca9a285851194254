"""Files the app writes (uploads, packets, the mail folder): whole or not at all, and room left for them.

A file is written under a temporary name beside its target, flushed to disk, and only then renamed
into place, so nobody ever reads half a file. If the write fails (a full disk above all), the
temporary file is removed at once and the caller gets `StorageFull`, which a page shows as 507
"storage is full, your upload was not saved". An upload whose transaction does not commit has its
file removed when the transaction ends (`forget_unless_committed`), not an hour later by the sweep.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

# /healthz says the disk is low below this much free space, or this share of a smaller disk.
LOW_DISK_BYTES = 200 * 1_048_576
LOW_DISK_SHARE = 0.05
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
_WRITTEN = "files_written_in_transaction"


class StorageFull(OSError):
    """The disk (or the quota) has no room for the file; nothing was kept."""

    status = 507
    message = ("Storage is full, so your file was not saved. Nothing else changed. "
               "Please try again later; the service's operators have been alerted.")


def write_whole(target: Path, data: bytes) -> None:
    """Write `data` to `target` all at once: a temporary file beside it, then a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-", suffix=target.suffix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        if error.errno in _NO_SPACE:
            raise StorageFull(error.errno, StorageFull.message) from error
        raise
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def forget_unless_committed(session: Session, path: Path) -> None:
    """Delete `path` when the session's transaction ends without committing (a rollback, a crash)."""
    session.info.setdefault(_WRITTEN, []).append(path)


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    # Only the outermost transaction decides; after a commit the list is already empty.
    if transaction.parent is not None:
        return
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


def disk_report(folder: Path) -> dict[str, object]:
    """Free space where `folder` lives, and whether it is low (for /healthz)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    usage = shutil.disk_usage(probe)
    low = usage.free < min(LOW_DISK_BYTES, usage.total * LOW_DISK_SHARE)
    return {"free_mb": usage.free // 1_048_576, "low": low}
