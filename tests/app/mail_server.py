"""A real SMTP server on loopback (aiosmtpd) that records what it accepts and can stall on cue."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class Recorder:
    """Keeps every message the server accepted; can hold a client at RCPT or after DATA arrived."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.stall_at: str | None = None  # "rcpt" or "data"
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def _stall(self, stage: str) -> None:
        if self.stall_at == stage:
            self.stall_at = None
            self.stalled.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        await self._stall("rcpt")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        # Recorded before the reply: a client killed now has handed the message over for good.
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        await self._stall("data")
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        """Messages addressed to `address`."""
        return [m for m in self.messages if address in str(m["To"])]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    """A running SMTP server on 127.0.0.1 and its port."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        recorder.release.set()
        controller.stop()


def text_part(message: Message) -> str:
    """The plain-text body of a two-part message."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()  # type: ignore[union-attr]
    raise AssertionError("no text/plain part")


def html_part(message: Message) -> str:
    """The HTML body of a two-part message."""
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()  # type: ignore[union-attr]
    raise AssertionError("no text/html part")
