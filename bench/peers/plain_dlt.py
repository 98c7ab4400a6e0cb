"""Peer: a beginner's dlt pipeline over the same API, with dlt's defaults.

`dlt.sources.rest_api` with cursor paging yields each page's dicts; dlt infers the schema,
flattens nested objects (`shipping_address__city`), turns `items` into the child table
`orders__items`, writes `insert_values` files and appends them into the `raw` dataset.
"""

from __future__ import annotations

import math

import dlt
from _common import FEEDS, PAGE_SIZE, api, parse_limits, pg_url
from dlt.sources.rest_api import rest_api_source


def main() -> None:
    limits = parse_limits(__doc__)
    url, token = api()
    source = rest_api_source({
        "client": {
            "base_url": url,
            "auth": {"type": "bearer", "token": token},
            "paginator": {"type": "cursor", "cursor_path": "next_cursor",
                          "cursor_param": "cursor"},
        },
        "resource_defaults": {"endpoint": {"params": {"limit": PAGE_SIZE},
                                           "data_selector": "data"}},
        "resources": [{"name": feed, "endpoint": {"path": f"v1/{feed}"}} for feed in FEEDS],
    })
    for feed, limit in limits.items():
        if limit is not None:  # one yielded item per page
            source.resources[feed].add_limit(math.ceil(limit / PAGE_SIZE))
    pipeline = dlt.pipeline(pipeline_name="bench_plain_dlt",
                            destination=dlt.destinations.postgres(credentials=pg_url()),
                            dataset_name="raw")
    print(pipeline.run(source))


if __name__ == "__main__":
    main()
