"""Handler for CTC recommendations: writing a batch's packet after the batch commits.

The 90-day purge runs with the daily sweep (app/services/notifications/reminders.py).
"""

from __future__ import annotations

from sqlmodel import Session

from app.services.notifications.registry import handler
from app.services.programs import packets


@handler("recommendation.packet")
def write_packet(session: Session, batch_id: int) -> None:
    """Write the batch's packet once; a second run finds it written and does nothing."""
    packets.write_packet(session, batch_id)
