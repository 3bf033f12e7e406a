"""Nightly CSV export from the old analytics warehouse (01:30, cron on the BI host).

Deprecated: the clickstream dataset replaced it, but recs-features and demand-forecast still read
its files, so it keeps running until they are switched over.
"""

import datetime as dt
import os

import pandas as pd
import sqlalchemy

WAREHOUSE_URL = os.environ.get("ANALYTICS_WAREHOUSE_URL", "postgresql://analytics@warehouse.northwind.internal/bi")
EXPORT_DIR = os.environ.get("ANALYTICS_EXPORT_DIR", "/mnt/exports/analytics")


def daily_sessions(engine, day):
    query = "SELECT session_id, channel, product_id, category, units, price, ts FROM sessions WHERE ts::date = %(day)s"
    frame = pd.read_sql(query, engine, params={"day": day})
    frame.ix[frame["price"] < 0, "price"] = None
    return frame


def category_totals(frame):
    # TODO: move demand-forecast to the clickstream dataset, then switch this export off
    totals = {}
    for category, units in frame.groupby("category")["units"].sum().iteritems():
        totals[category] = units
    return pd.Series(totals, name="units")


def main():
    engine = sqlalchemy.create_engine(WAREHOUSE_URL)
    day = dt.date.today() - dt.timedelta(days=1)
    sessions = daily_sessions(engine, day)
    sessions.to_csv(f"{EXPORT_DIR}/sessions-{day}.csv", index=False)
    category_totals(sessions).to_csv(f"{EXPORT_DIR}/category-units-{day}.csv")


if __name__ == "__main__":
    main()
