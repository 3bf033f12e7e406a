"""Every parser either parses or raises PayloadError naming the problem: never anything else."""

import pytest
from hypothesis import given, settings

from mldebt.errors import PayloadError
from mldebt.ingest.common import Delivery
from mldebt.ingest.registry import ADAPTERS
from tests.fuzz.strategies import bodies


@pytest.mark.parametrize("source", sorted(ADAPTERS))
def test_parser_never_crashes(source):
    @settings(max_examples=150, deadline=None)
    @given(body=bodies(source))
    def check(body: bytes) -> None:
        try:
            parsed = ADAPTERS[source].parse(Delivery(source, body))
        except PayloadError as exc:
            assert exc.message
        else:
            assert parsed.delivery_id

    check()
