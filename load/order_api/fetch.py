"""Fetch: pages of raw records of a feed, from the Order API or from the shop's bulk export.

Both are a `PageSource`: called with a feed and a time (None: from the start), it yields the
feed's records changed at or after that time, a page (a list of records) at a time.

The API (`ApiPages`): dlt's REST client with bearer auth, cursor paging and retries. Retries are
dlt's (429 honouring Retry-After, 5xx, timeouts, dropped connections). One thing the contract
needs on top: a 200 whose body is cut off or is not JSON is retried as well. The response hook
parses the body once with orjson, so the pages are not parsed twice.

The bulk export (`export_pages`, CONTRACT.md): `<base>/<feed>/dt=YYYY-MM-DD/part-NNNN.jsonl.gz`,
`<base>` a local directory or any fsspec URL (`s3://…` needs `s3fs` and the usual AWS
credentials). Lines are read in export order and handed on in pages, exactly like API pages, so
a backfill from the export and a load from the API give the same raw tables.
"""

from __future__ import annotations

import gzip
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import fsspec
import orjson
from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import RuntimeConfiguration
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from requests.exceptions import ChunkedEncodingError, ConnectionError, Timeout

from order_api import settings
from order_api.contract import FEEDS

PageSource = Callable[[str, datetime | None], Iterable[list[Any]]]
"""Yields pages of raw records of a feed changed at or after a given time (None: all)."""


class Unparsed(str):
    """A line of input that is not JSON at all (bulk export); kept as text when rejected."""


class InvalidBody(ChunkedEncodingError):
    """A 200 response whose body is not the JSON page the contract promises (retried)."""


@dataclass
class RequestCounter:
    attempts: int = 0


class _CountingAdapter(HTTPAdapter):
    def __init__(self, counter: RequestCounter) -> None:
        super().__init__()
        self.counter = counter

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        self.counter.attempts += 1
        return super().send(request, *args, **kwargs)


def _parse_json_once(response: Response, *args: Any, **kwargs: Any) -> None:
    if response.status_code != 200:
        return
    try:
        parsed = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise InvalidBody(f"response body is not valid JSON ({len(response.content)} bytes)",
                          response=response) from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("data"), list):
        raise InvalidBody("response body is not a page object with a data list",
                          response=response)
    response.json = lambda **_: parsed  # type: ignore[method-assign]


class ApiPages:
    """The API as a `PageSource`: one client per feed, each counting its HTTP attempts."""

    def __init__(self, base_url: str, token: str) -> None:
        self.clients = {feed: OrderApiClient(base_url, token) for feed in FEEDS}

    def __call__(self, feed: str, since: datetime | None) -> Iterator[list[Any]]:
        params: dict[str, Any] = {"limit": settings.PAGE_SIZE}
        if since is not None:
            params["updated_since"] = since.isoformat().replace("+00:00", "Z")
        return self.clients[feed].pages(feed, params)

    def attempts(self, feed: str | None = None) -> int:
        """HTTP requests sent for `feed` (None: all feeds), retries included."""
        return sum(c.counter.attempts for f, c in self.clients.items() if feed in (None, f))


class OrderApiClient:
    """Pages through one feed; counts HTTP attempts so retries can be reported."""

    def __init__(self, base_url: str, token: str) -> None:
        self.counter = RequestCounter()
        client = Client(raise_for_status=False,
                        exceptions=(ConnectionError, Timeout, ChunkedEncodingError))
        # timeouts, attempts and backoff: dlt's runtime settings (RUNTIME__REQUEST_* etc.)
        client.update_from_config(resolve_configuration(RuntimeConfiguration()))
        session = client.session
        adapter = _CountingAdapter(self.counter)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self._rest = RESTClient(base_url=base_url, auth=BearerTokenAuth(token), session=session,
                                data_selector="data")

    def pages(self, feed: str, params: dict[str, Any]) -> Iterator[list[Any]]:
        """The feed's pages in order; the next page is fetched while this one is processed."""
        paginator = JSONResponseCursorPaginator(cursor_path="next_cursor", cursor_param="cursor")
        hooks = {"response": [_parse_json_once, self._rest._create_response_handler()]}
        yield from _prefetched(self._rest.paginate(f"/v1/{feed}", params=params,
                                                   paginator=paginator, hooks=hooks))


_DONE = object()


def _prefetched(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Run `items` in a thread, `depth` ahead of the consumer; its exceptions are re-raised."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put(exc)

    threading.Thread(target=produce, name="order-api-prefetch", daemon=True).start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def export_pages(base_url: str) -> PageSource:
    """The bulk export at `base_url` as a `PageSource` (it holds every version: no `since`)."""
    page_size = settings.PAGE_SIZE
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
