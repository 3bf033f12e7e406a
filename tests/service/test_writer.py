"""The group-commit writer: one transaction per batch, and a failing delivery cannot fail the others."""

import asyncio
import json

from mldebt.ingest.common import Delivery
from mldebt.service.ingest import prepare, replay
from mldebt.service.linker import Linker
from mldebt.service.writer import GroupCommitWriter
from mldebt.store import raw_events
from tests.support.webhooks import SECRETS, fixture_json, signed_headers


class BrokenLinker(Linker):
    """A linker with a bug for one project (stands for any bug in applying effects)."""

    def component(self, source, attributes):
        if attributes.get("project") == "boom":
            raise RuntimeError("linker bug")
        return super().component(source, attributes)


def delivery(n: int, project: str) -> Delivery:
    payload = fixture_json("sentry_issue_created.json")
    payload["data"]["issue"]["id"] = str(n)
    payload["data"]["issue"]["project"]["slug"] = project
    body = json.dumps(payload).encode()
    return Delivery("sentry", body, signed_headers("sentry", body, request_id=f"w-{n}"))


def test_one_batch_one_commit_and_a_bug_in_one_delivery_spares_the_others(store):
    async def run():
        writer = GroupCommitWriter(store, BrokenLinker())
        writer.start()
        items = [prepare(delivery(n, "boom" if n == 3 else "storefront-recs"), SECRETS["sentry"]) for n in range(6)]
        outcomes = await asyncio.gather(*(writer.submit(item) for item in items))
        await writer.stop()
        return writer, outcomes

    writer, outcomes = asyncio.run(run())
    assert [o.status for o in outcomes] == ["parsed", "parsed", "parsed", "accepted", "parsed", "parsed"]
    assert writer.batches == 1 and writer.deliveries == 6
    with store.session() as session:
        [kept] = raw_events.list_events(session, status="accepted")
        assert kept.error == "not applied: RuntimeError: linker bug"
    result = replay(store, Linker())  # after the fix
    assert (result.parsed, result.failed) == (1, 0)
