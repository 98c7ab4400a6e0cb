"""The Order API record contract (openapi.yaml beside this file), as column specifications.

Each feed's record is flattened the way dlt flattens nested objects: `shipping_address.city`
becomes the column `shipping_address__city`. A `Field` says where a value lives in the record,
which raw column it lands in, and what the contract allows there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "timestamp", "money", "int", "count", "bool", "json"]

ID_PATTERNS = {
    "orders": r"^ord_[0-9A-Za-z]+$",
    "users": r"^usr_[0-9A-Za-z]+$",
    "products": r"^prd_[0-9A-Za-z]+$",
    "line_items": r"^li_[0-9A-Za-z]+$",
}
CURRENCY = r"^[A-Z]{3}$"
COUNTRY = r"^[A-Z]{2}$"
ORDER_STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded")


@dataclass(frozen=True)
class Field:
    column: str
    path: tuple[str, ...]
    kind: Kind
    required: bool = False
    """The key must be present (openapi `required`); for nested fields: when the parent is."""
    nullable: bool = False
    pattern: str | None = None
    enum: tuple[str, ...] | None = None


def _nested(parent: str, fields: list[Field]) -> list[Field]:
    """Fields of an optional nested object, e.g. `shipping_address`."""
    return [
        Field(f"{parent}__{f.column}", (parent, *f.path), f.kind, f.required, f.nullable,
              f.pattern, f.enum)
        for f in fields
    ]


ADDRESS = [
    Field("line1", ("line1",), "text", required=True),
    Field("line2", ("line2",), "text", nullable=True),
    Field("city", ("city",), "text", required=True),
    Field("region", ("region",), "text", nullable=True),
    Field("postal_code", ("postal_code",), "text", nullable=True),
    Field("country", ("country",), "text", required=True, pattern=COUNTRY),
]
DEVICE = [
    Field("platform", ("platform",), "text", required=True, enum=("ios", "android", "web", "pos")),
    Field("app_version", ("app_version",), "text", nullable=True),
    Field("os", ("os",), "text", nullable=True),
    Field("user_agent", ("user_agent",), "text", nullable=True),
]
PAYMENT = [
    Field("method", ("method",), "text", required=True,
          enum=("card", "paypal", "bank_transfer", "gift_card", "cash")),
    Field("card_brand", ("card_brand",), "text", nullable=True),
    Field("captured_at", ("captured_at",), "timestamp", nullable=True),
]

ORDER_FIELDS = [
    Field("id", ("id",), "text", required=True, pattern=ID_PATTERNS["orders"]),
    Field("status", ("status",), "text", required=True, enum=ORDER_STATUSES),
    Field("user_id", ("user_id",), "text", required=True, pattern=ID_PATTERNS["users"]),
    Field("currency", ("currency",), "text", required=True, pattern=CURRENCY),
    Field("created_at", ("created_at",), "timestamp", required=True),
    Field("updated_at", ("updated_at",), "timestamp", required=True),
    Field("deleted_at", ("deleted_at",), "timestamp", required=True, nullable=True),
    Field("client_created_ms", ("client_created_ms",), "int", nullable=True),
    Field("subtotal", ("subtotal",), "money", required=True),
    Field("discount_total", ("discount_total",), "money", required=True),
    Field("tax_total", ("tax_total",), "money", required=True),
    Field("shipping_total", ("shipping_total",), "money", required=True),
    Field("total", ("total",), "money", required=True),
    *_nested("shipping_address", ADDRESS),
    *_nested("device", DEVICE),
    *_nested("payment", PAYMENT),
    Field("metadata", ("metadata",), "json"),
]
NESTED_OBJECTS = {"orders": ("shipping_address", "device", "payment"), "users": ("address",),
                  "products": ()}

LINE_ITEM_FIELDS = [
    Field("id", ("id",), "text", required=True, pattern=ID_PATTERNS["line_items"]),
    Field("product_id", ("product_id",), "text", required=True, pattern=ID_PATTERNS["products"]),
    Field("sku", ("sku",), "text", required=True),
    Field("name", ("name",), "text", required=True),
    Field("category", ("category",), "text", required=True),
    Field("quantity", ("quantity",), "count", required=True),
    Field("unit_price", ("unit_price",), "money", required=True),
    Field("discount", ("discount",), "money", required=True),
]

USER_FIELDS = [
    Field("id", ("id",), "text", required=True, pattern=ID_PATTERNS["users"]),
    Field("email", ("email",), "text", required=True),
    Field("first_name", ("first_name",), "text", required=True),
    Field("last_name", ("last_name",), "text", required=True),
    Field("phone", ("phone",), "text", nullable=True),
    Field("created_at", ("created_at",), "timestamp", required=True),
    Field("updated_at", ("updated_at",), "timestamp", required=True),
    Field("deleted_at", ("deleted_at",), "timestamp", required=True, nullable=True),
    Field("marketing_opt_in", ("marketing_opt_in",), "bool", required=True),
    Field("loyalty_tier", ("loyalty_tier",), "text", required=True,
          enum=("none", "silver", "gold", "platinum")),
    *_nested("address", ADDRESS),
]

PRODUCT_FIELDS = [
    Field("id", ("id",), "text", required=True, pattern=ID_PATTERNS["products"]),
    Field("sku", ("sku",), "text", required=True),
    Field("name", ("name",), "text", required=True),
    Field("category", ("category",), "text", required=True),
    Field("list_price", ("list_price",), "money", required=True),
    Field("currency", ("currency",), "text", required=True, pattern=CURRENCY),
    Field("active", ("active",), "bool", required=True),
    Field("updated_at", ("updated_at",), "timestamp", required=True),
]

FEED_FIELDS = {"orders": ORDER_FIELDS, "users": USER_FIELDS, "products": PRODUCT_FIELDS}
FEEDS = tuple(FEED_FIELDS)
