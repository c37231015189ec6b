"""Which TCP connections a process group holds, read from /proc (Linux), so that a test can cut
exactly its own worker's connections on a server other people share."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
ESTABLISHED = "01"


@dataclass(frozen=True, slots=True)
class TcpConnection:
    local_port: int
    remote_port: int


def group_members(process_group: int) -> list[int]:
    """The ids of the live processes in the process group."""
    members = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name is in parentheses and may hold spaces: split after it.
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == process_group:
            members.append(int(entry.name))
    return members


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in (PROC / str(pid) / "fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    except OSError:
        pass
    return inodes


def _tcp_table() -> dict[str, TcpConnection]:
    """Established TCP connections of this network namespace by socket inode."""
    table = {}
    for name in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != ESTABLISHED:
                continue
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            table[fields[9]] = TcpConnection(local_port, remote_port)
    return table


def connections_of_group(process_group: int, *, remote_port: int) -> list[TcpConnection]:
    """The group's established connections to a server port (e.g. 6379 for Redis)."""
    inodes = set()
    for pid in group_members(process_group):
        inodes |= _socket_inodes(pid)
    table = _tcp_table()
    return [
        table[inode]
        for inode in inodes
        if inode in table and table[inode].remote_port == remote_port
    ]
