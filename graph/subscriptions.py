"""The Subscription type: a run's progress, read from the database so that workers in other
processes are seen too.

One watcher per run and process reads the run once per change and hands each state to every
subscriber of that run: on PostgreSQL each progress step's commit wakes the watcher at once (a
notification), and it also looks by itself now and then; on SQLite it looks every POLL_SECONDS.
A slow subscriber skips to the latest state. A user holds at most `max_subscriptions_per_user`
subscriptions at once in the process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager

import strawberry

from billing.runs.lifecycle import WORK_STOPPED_RUN_STATUSES
from graph.context import Info
from graph.errors import ClientError, NotFound
from graph.ids import parse_id
from graph.permissions import CanViewBilling
from graph.types.run import InvoiceRun
from orm import models
from orm.notifications import Channel

POLL_SECONDS = 0.2
# Woken by notifications, a watcher still looks this often, in case one was missed.
NOTIFIED_POLL_SECONDS = 2.0
RUN_PROGRESS = Channel("invoice_run_progress")
TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
DEFAULT_MAX_SUBSCRIPTIONS_PER_USER = 20


async def _tenant_run(tenant_id: int, run_id: int) -> models.InvoiceRun | None:
    return await models.InvoiceRun.get_or_none(id=run_id, tenant_id=tenant_id)


async def read_progress(run_id: int) -> models.InvoiceRun | None:
    """The run as it is now: the one read a watcher makes per change, for all its subscribers."""
    return await models.InvoiceRun.get_or_none(id=run_id)


def _state(run: models.InvoiceRun) -> tuple[int, str]:
    return run.progress_version, str(run.status)


class Mailbox:
    """What one subscriber has not taken yet: only the latest state of the run."""

    def __init__(self) -> None:
        self.latest: models.InvoiceRun | None = None
        self.gone = False
        self.changed = asyncio.Event()

    def put(self, run: models.InvoiceRun | None) -> None:
        if run is None:
            self.gone = True
        else:
            self.latest = run
        self.changed.set()

    async def take(self) -> models.InvoiceRun | None:
        """The next state; None once the run is gone."""
        await self.changed.wait()
        self.changed.clear()
        return None if self.gone else self.latest


class RunWatcher:
    """Reads one run once per change and fans each new state out to its subscribers."""

    def __init__(self, run_id: int, watchers: dict[int, RunWatcher]) -> None:
        self.run_id = run_id
        self.watchers = watchers
        self.mailboxes: set[Mailbox] = set()
        self.latest: models.InvoiceRun | None = None
        self.read_once = False
        self.task = asyncio.create_task(self._follow())

    def join(self) -> Mailbox:
        mailbox = Mailbox()
        if self.read_once:
            mailbox.put(self.latest)
        self.mailboxes.add(mailbox)
        return mailbox

    def leave(self, mailbox: Mailbox) -> None:
        self.mailboxes.discard(mailbox)
        if not self.mailboxes:
            self._retire()
            self.task.cancel()

    def _retire(self) -> None:
        if self.watchers.get(self.run_id) is self:
            del self.watchers[self.run_id]

    def _publish(self, run: models.InvoiceRun | None) -> None:
        self.latest, self.read_once = run, True
        for mailbox in self.mailboxes:
            mailbox.put(run)

    async def _follow(self) -> None:
        try:
            async with RUN_PROGRESS.waiting(str(self.run_id)) as wakeup:
                interval = NOTIFIED_POLL_SECONDS if wakeup.listening else POLL_SECONDS
                seen: tuple[int, str] | None = None
                while True:
                    # Read after listening starts: a step committed before is in this read.
                    run = await read_progress(self.run_id)
                    if run is None or _state(run) != seen:
                        seen = None if run is None else _state(run)
                        self._publish(run)
                    if run is None or run.status in WORK_STOPPED_RUN_STATUSES:
                        return
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wakeup.event.wait(), interval)
                    wakeup.event.clear()
        finally:
            self._retire()


class ProgressHub:
    """The process's run watchers and each user's count of open subscriptions."""

    def __init__(self) -> None:
        self.watchers: dict[int, RunWatcher] = {}
        self.open_by_user: Counter[int] = Counter()

    @asynccontextmanager
    async def following(self, run_id: int, user_id: int, limit: int) -> AsyncIterator[Mailbox]:
        if self.open_by_user[user_id] >= limit:
            raise ClientError(
                f"At most {limit} subscriptions may be open at once for one user; "
                "close one before opening another.",
                code=TOO_MANY_SUBSCRIPTIONS,
            )
        self.open_by_user[user_id] += 1
        watcher = self.watchers.get(run_id)
        if watcher is None or watcher.task.done():
            watcher = self.watchers[run_id] = RunWatcher(run_id, self.watchers)
        mailbox = watcher.join()
        try:
            yield mailbox
        finally:
            watcher.leave(mailbox)
            self.open_by_user[user_id] -= 1
            if self.open_by_user[user_id] <= 0:
                del self.open_by_user[user_id]


_hubs: dict[asyncio.AbstractEventLoop, ProgressHub] = {}


def progress_hub() -> ProgressHub:
    """This event loop's hub (watcher tasks belong to one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        for stale in [other for other in _hubs if other.is_closed()]:
            del _hubs[stale]
        _hubs[loop] = ProgressHub()
    return _hubs[loop]


def _subscription_limit(info: Info) -> int:
    settings = info.context.settings
    return getattr(settings, "max_subscriptions_per_user", DEFAULT_MAX_SUBSCRIPTIONS_PER_USER)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=[CanViewBilling],
        description="The run as it changes: one event on subscribe, one per progress step, the "
        "last in a status where the run's work has stopped (AWAITING_REVIEW, COMPLETED, "
        "COMPLETED_WITH_ERRORS, FAILED, DISCARDED).",
    )
    async def invoice_run_progress(
        self, info: Info, run_id: strawberry.ID
    ) -> AsyncGenerator[InvoiceRun, None]:
        viewer = info.context.authenticated_viewer
        parsed = parse_id(run_id)
        run = await _tenant_run(viewer.tenant.id, parsed) if parsed else None
        if run is None:
            raise NotFound("No such invoice run.", field="runId")
        hub = progress_hub()
        async with hub.following(run.id, viewer.user.id, _subscription_limit(info)) as mailbox:
            first = True
            while True:
                latest = await mailbox.take()
                if latest is None:
                    return
                if not first:
                    info.context.refresh()
                first = False
                yield InvoiceRun.from_model(latest)
                if latest.status in WORK_STOPPED_RUN_STATUSES:
                    return
