"""Peer: pages → `pandas.json_normalize` → `DataFrame.to_sql(method="multi")` via SQLAlchemy.

Orders are flattened (`shipping_address__city`, ...; `items` dropped) into `raw.orders`; their
line items via `record_path="items"` with the order's id and updated_at into `raw.order_items`;
users and products flattened into `raw.users` / `raw.products`. One page at a time.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy
from _common import FEEDS, pages, parse_limits, pg_url

CHUNKSIZE = 1000


def main() -> None:
    limits = parse_limits(__doc__)
    engine = sqlalchemy.create_engine(pg_url("postgresql+psycopg2"))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("create schema if not exists raw"))
    for feed in FEEDS:
        for page in pages(feed, limits[feed]):
            frames = {feed: pd.json_normalize(page, sep="__")}
            if feed == "orders":
                frames["orders"] = frames["orders"].drop(columns=["items"])
                frames["order_items"] = pd.json_normalize(
                    page, record_path="items", meta=["id", "updated_at"], meta_prefix="order_",
                    sep="__")
            for table, frame in frames.items():
                frame.to_sql(table, engine, schema="raw", if_exists="append", index=False,
                             method="multi", chunksize=CHUNKSIZE)


if __name__ == "__main__":
    main()
