"""Pages from the shop's bulk export (CONTRACT.md).

Layout: `<base>/<feed>/dt=YYYY-MM-DD/part-NNNN.jsonl.gz`.

`<base>` is a local directory or any fsspec URL (`s3://…` needs the `s3fs` package and the usual
AWS credentials). Lines are read in export order and handed on in pages, exactly like API pages,
so a backfill from the export and a load from the API give the same raw tables.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import fsspec
import orjson

from order_api.records import Unparsed

PAGE_SIZE = 1000


def export_pages(base_url: str, page_size: int = PAGE_SIZE):  # noqa: ANN201 (a PageSource)
    fs, root = fsspec.core.url_to_fs(base_url.rstrip("/"))

    def pages(feed: str, _since: datetime | None) -> Iterator[list[Any]]:
        page: list[Any] = []
        for path in sorted(fs.glob(f"{root}/{feed}/dt=*/part-*.jsonl.gz")):
            with fs.open(path, "rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
                for line in lines:
                    if not line.strip():
                        continue
                    try:
                        page.append(orjson.loads(line))
                    except orjson.JSONDecodeError:
                        page.append(Unparsed(line.rstrip("\n")))
                    if len(page) == page_size:
                        yield page
                        page = []
        if page:
            yield page

    return pages
