"""SMTP servers for tests: aiosmtpd's Maildir server as a process, and an in-process server that
can refuse chosen recipients and require a login."""

from __future__ import annotations

import mailbox
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.services import free_port, start_service, stop_process

SMTP_HOST = "127.0.0.1"


@dataclass
class MaildirSmtpServer:
    """A running `python -m aiosmtpd` process that stores every message it accepts."""

    host: str
    port: int
    maildir: Path

    def messages(self) -> list[EmailMessage]:
        """The messages received since the test began, parsed."""
        if not self.maildir.exists():
            return []
        box = mailbox.Maildir(self.maildir, factory=None, create=False)
        return [
            message_from_bytes(box.get_bytes(key), policy=policy.default)  # type: ignore[misc]
            for key in box.iterkeys()
        ]

    def clear(self) -> None:
        if self.maildir.exists():
            mailbox.Maildir(self.maildir, factory=None, create=False).clear()


def start_maildir_server(port: int, maildir: Path, log_path: Path) -> subprocess.Popen[bytes]:
    """`python -m aiosmtpd` listening on SMTP_HOST:port, storing what it accepts in `maildir`."""
    return start_service(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"{SMTP_HOST}:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        host=SMTP_HOST,
        port=port,
        log_path=log_path,
    )


@pytest.fixture(scope="session")
def smtp_server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MaildirSmtpServer]:
    # aiosmtpd creates the Maildir itself; an empty directory made beforehand breaks delivery.
    workdir = tmp_path_factory.mktemp("smtp")
    maildir = workdir / "maildir"
    port = free_port()
    process = start_maildir_server(port, maildir, workdir / "aiosmtpd.log")
    try:
        yield MaildirSmtpServer(SMTP_HOST, port, maildir)
    finally:
        stop_process(process)


@pytest.fixture
def smtp_server(smtp_server_process: MaildirSmtpServer) -> MaildirSmtpServer:
    """The Maildir SMTP server, emptied for the test."""
    smtp_server_process.clear()
    return smtp_server_process


@dataclass
class PickyHandler:
    """Accepts mail like a real server, except for the recipients it is told to refuse."""

    refusals: dict[str, str] = field(default_factory=dict)
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@dataclass
class PickySmtpServer:
    """An in-process SMTP server that refuses some recipients and requires a login."""

    host: str
    port: int
    username: str
    password: str
    handler: PickyHandler

    def refuse(self, address: str, reply: str) -> None:
        self.handler.refusals[address] = reply

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages


def credentials_checker(username: str, password: str):
    """An aiosmtpd authenticator accepting exactly this username and password."""

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any):
        accepted = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == username
            and auth_data.password.decode() == password
        )
        return AuthResult(success=accepted, handled=False)

    return authenticate


@pytest.fixture
def picky_smtp_server() -> Iterator[PickySmtpServer]:
    handler = PickyHandler()
    username, password = "billing@isp.test", "correct horse battery staple"
    controller = Controller(
        handler,
        hostname=SMTP_HOST,
        port=free_port(),
        authenticator=credentials_checker(username, password),
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield PickySmtpServer(SMTP_HOST, controller.port, username, password, handler)
    finally:
        controller.stop()
