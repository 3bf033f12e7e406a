"""`build_board_report`: the quarter's board report content from the store (see `service.board_model`).

CONTRACT (placeholder body until the builder lands): renderers and the CLI call exactly this.
"""

from __future__ import annotations

import datetime as dt

from mldebt.domain.costs import CostRates
from mldebt.service.board_model import BoardReport
from mldebt.store.database import Store


def build_board_report(store: Store, quarter: str, now: dt.datetime, compare: str | None = None,
                       rates: CostRates | None = None) -> BoardReport:
    """The report of `quarter` ("2026Q4") as of `now` (capped at the quarter's end), compared with
    `compare` (default: the quarter before). An unknown quarter string is a UserInputError (exit 2)."""
    raise NotImplementedError("the board report builder is not written yet")
