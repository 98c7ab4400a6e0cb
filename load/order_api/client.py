"""dlt's REST client set up for the Order API: bearer auth, cursor paging, retries.

Retries are dlt's (429 honouring Retry-After, 5xx, timeouts, dropped connections). One thing
the contract needs on top: a 200 whose body is cut off or is not JSON is retried as well. The
response hook parses the body once with orjson, so the pages are not parsed twice.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

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
