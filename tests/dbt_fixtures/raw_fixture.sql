-- Development fixture for the dbt transform layer.
-- Recreates schema `raw` with exactly the DDL that the dlt loader produces and a few
-- hand-written rows. Use it only on a development database, never where dlt has loaded:
--   psql -h 127.0.0.1 -U postgres -d dbt_dev -v ON_ERROR_STOP=1 \
--       -f tests/dbt_fixtures/raw_fixture.sql
-- It drops schema `raw` with CASCADE, which also drops the dbt staging views built on it.
-- Covered cases:
--   ord_1: 4 versions (pending -> paid -> shipped -> delivered), an item added in version 2
--   ord_2: pending -> cancelled -> soft-deleted (deleted_at set, updated_at moved)
--   ord_3: paid -> refunded, no shipping address / device / payment (nested objects null)
--   ord_4: placed after usr_1 became gold; client clock wrong (client_created_ms in 2025)
--   ord_5: paid -> shipped -> delivered for usr_2, who is soft-deleted later
--   usr_1: email (messy case/whitespace) change, opt-in change, loyalty tier change
--   usr_2: soft-deleted;  usr_3: one version, no address
--   prd_1: price change; prd_3: deactivated
drop schema if exists raw cascade;
create schema raw;

create table raw._dlt_loads (
    load_id text not null,
    schema_name text,
    status bigint not null,
    inserted_at timestamptz not null,
    schema_version_hash text
);

create table raw.orders (
    id text,
    status text,
    user_id text,
    currency text,
    created_at timestamptz,
    updated_at timestamptz,
    deleted_at timestamptz null,
    client_created_ms bigint null,
    subtotal numeric(12, 2),
    discount_total numeric(12, 2),
    tax_total numeric(12, 2),
    shipping_total numeric(12, 2),
    total numeric(12, 2),
    shipping_address__line1 text,
    shipping_address__line2 text,
    shipping_address__city text,
    shipping_address__region text,
    shipping_address__postal_code text,
    shipping_address__country text,
    device__platform text,
    device__app_version text,
    device__os text,
    device__user_agent text,
    payment__method text,
    payment__card_brand text,
    payment__captured_at timestamptz,
    metadata jsonb,
    _dlt_load_id text not null,
    _dlt_id text not null
);

create table raw.order_items (
    order_id text,
    order_updated_at timestamptz,
    id text,
    line_number integer,
    product_id text,
    sku text,
    name text,
    category text,
    quantity integer,
    unit_price numeric(12, 2),
    discount numeric(12, 2),
    _dlt_load_id text,
    _dlt_id text
);

create table raw.users (
    id text,
    email text,
    first_name text,
    last_name text,
    phone text,
    created_at timestamptz,
    updated_at timestamptz,
    deleted_at timestamptz,
    marketing_opt_in boolean,
    loyalty_tier text,
    address__line1 text,
    address__line2 text,
    address__city text,
    address__region text,
    address__postal_code text,
    address__country text,
    _dlt_load_id text,
    _dlt_id text
);

create table raw.products (
    id text,
    sku text,
    name text,
    category text,
    list_price numeric(12, 2),
    currency text,
    active boolean,
    updated_at timestamptz,
    _dlt_load_id text,
    _dlt_id text
);

create table raw.rejected_records (
    feed text,
    record_id text,
    payload jsonb,
    payload_text text,
    reason text,
    load_id text,
    rejected_at timestamptz,
    payload_hash text
);

-- loads: L1 2026-02-01, L2 2026-02-16, L3 2026-03-15, L4 2026-05-02, L5 2026-08-02
insert into raw._dlt_loads values
('1769940000.100001', 'order_api', 0, '2026-02-01 11:00:00+00', 'h1'),
('1771236000.200002', 'order_api', 0, '2026-02-16 10:00:00+00', 'h1'),
('1773568800.300003', 'order_api', 0, '2026-03-15 10:00:00+00', 'h1'),
('1777716000.400004', 'order_api', 0, '2026-05-02 10:00:00+00', 'h1'),
('1785664800.500005', 'order_api', 0, '2026-08-02 10:00:00+00', 'h1');

insert into raw.users values
('usr_1', '  Alice@Example.COM ', 'Alice', 'Archer', '+49 30 1234567',
 '2026-01-05 12:00:00+00', '2026-01-05 12:00:00+00', null, false, 'none',
 'Hauptstr. 1', null, 'Berlin', 'BE', '10115', 'DE', '1769940000.100001', 'u1a'),
('usr_1', 'alice.new@example.com', 'Alice', 'Archer', '+49 30 1234567',
 '2026-01-05 12:00:00+00', '2026-03-01 00:00:00+00', null, true, 'none',
 'Hauptstr. 1', null, 'Berlin', 'BE', '10115', 'DE', '1773568800.300003', 'u1b'),
('usr_1', 'alice.new@example.com', 'Alice', 'Archer', '+49 30 1234567',
 '2026-01-05 12:00:00+00', '2026-06-01 00:00:00+00', null, true, 'gold',
 '12 Rue de Rivoli', 'Apt 3', 'Paris', 'IDF', '75001', 'FR', '1785664800.500005', 'u1c'),
('usr_2', 'Bob@Example.com', 'Bob', 'Baker', null,
 '2026-02-01 00:00:00+00', '2026-02-01 00:00:00+00', null, false, 'silver',
 '1 Market St', null, 'San Francisco', 'CA', '94105', 'US', '1769940000.100001', 'u2a'),
('usr_2', 'Bob@Example.com', 'Bob', 'Baker', null,
 '2026-02-01 00:00:00+00', '2026-05-01 00:00:00+00', '2026-05-01 00:00:00+00', false,
 'silver', '1 Market St', null, 'San Francisco', 'CA', '94105', 'US',
 '1777716000.400004', 'u2b'),
('usr_3', 'carol@example.co.uk', 'Carol', 'Clark', null,
 '2026-02-10 08:00:00+00', '2026-02-10 08:00:00+00', null, true, 'platinum',
 null, null, null, null, null, null, '1771236000.200002', 'u3a');

insert into raw.products values
('prd_1', 'SKU-001', 'Coffee beans 1kg', 'coffee', 10.00, 'EUR', true,
 '2026-01-01 00:00:00+00', '1769940000.100001', 'p1a'),
('prd_1', 'SKU-001', 'Coffee beans 1kg', 'coffee', 12.00, 'EUR', true,
 '2026-06-15 00:00:00+00', '1785664800.500005', 'p1b'),
('prd_2', 'SKU-002', 'Paper filters', 'accessories', 5.50, 'EUR', true,
 '2026-01-01 00:00:00+00', '1769940000.100001', 'p2a'),
('prd_3', 'SKU-003', 'Espresso machine', 'machines', 100.00, 'USD', true,
 '2026-01-01 00:00:00+00', '1769940000.100001', 'p3a'),
('prd_3', 'SKU-003', 'Espresso machine', 'machines', 100.00, 'USD', false,
 '2026-08-01 00:00:00+00', '1785664800.500005', 'p3b');

insert into raw.orders values
-- ord_1: 4 versions
('ord_1', 'pending', 'usr_1', 'EUR', '2026-02-01 10:00:00+00', '2026-02-01 10:00:00+00', null,
 1769940000000, 20.00, 0.00, 3.80, 4.90, 28.70,
 'Hauptstr. 1', null, 'Berlin', 'BE', '10115', 'DE',
 'web', '5.2.0', 'macOS 14', 'Mozilla/5.0', null, null, null,
 '{"campaign": "spring"}', '1769940000.100001', 'o1a'),
('ord_1', 'paid', 'usr_1', 'EUR', '2026-02-01 10:00:00+00', '2026-02-01 10:05:00+00', null,
 1769940000000, 25.00, 2.00, 4.37, 4.90, 32.27,
 'Hauptstr. 1', null, 'Berlin', 'BE', '10115', 'DE',
 'web', '5.2.0', 'macOS 14', 'Mozilla/5.0', 'card', 'visa', '2026-02-01 10:05:00+00',
 '{"campaign": "spring"}', '1771236000.200002', 'o1b'),
('ord_1', 'shipped', 'usr_1', 'EUR', '2026-02-01 10:00:00+00', '2026-02-03 08:00:00+00', null,
 1769940000000, 25.00, 2.00, 4.37, 4.90, 32.27,
 'Hauptstr. 1', null, 'Berlin', 'BE', '10115', 'DE',
 'web', '5.2.0', 'macOS 14', 'Mozilla/5.0', 'card', 'visa', '2026-02-01 10:05:00+00',
 '{"campaign": "spring"}', '1771236000.200002', 'o1c'),
('ord_1', 'delivered', 'usr_1', 'EUR', '2026-02-01 10:00:00+00', '2026-02-06 12:00:00+00', null,
 1769940000000, 25.00, 2.00, 4.37, 4.90, 32.27,
 'Hauptstr. 1', null, 'Berlin', 'BE', '10115', 'DE',
 'web', '5.2.0', 'macOS 14', 'Mozilla/5.0', 'card', 'visa', '2026-02-01 10:05:00+00',
 '{"campaign": "spring"}', '1771236000.200002', 'o1d'),
-- ord_2: pending -> cancelled -> soft delete (offset timestamps, -08:00)
('ord_2', 'pending', 'usr_2', 'USD', '2026-02-15 09:00:00-08', '2026-02-15 09:00:00-08', null,
 1771174800000, 100.00, 0.00, 8.50, 0.00, 108.50,
 '1 Market St', null, 'San Francisco', 'CA', '94105', 'US',
 'web', '5.2.0', 'Windows 11', 'Mozilla/5.0', null, null, null,
 null, '1771236000.200002', 'o2a'),
('ord_2', 'cancelled', 'usr_2', 'USD', '2026-02-15 09:00:00-08', '2026-02-15 12:00:00-08', null,
 1771174800000, 100.00, 0.00, 8.50, 0.00, 108.50,
 '1 Market St', null, 'San Francisco', 'CA', '94105', 'US',
 'web', '5.2.0', 'Windows 11', 'Mozilla/5.0', null, null, null,
 null, '1771236000.200002', 'o2b'),
('ord_2', 'cancelled', 'usr_2', 'USD', '2026-02-15 09:00:00-08', '2026-02-20 00:00:00+00',
 '2026-02-20 00:00:00+00',
 1771174800000, 100.00, 0.00, 8.50, 0.00, 108.50,
 '1 Market St', null, 'San Francisco', 'CA', '94105', 'US',
 'web', '5.2.0', 'Windows 11', 'Mozilla/5.0', null, null, null,
 null, '1773568800.300003', 'o2c'),
-- ord_3: paid -> refunded, nested objects null
('ord_3', 'paid', 'usr_3', 'GBP', '2026-03-10 14:30:00+00', '2026-03-10 14:30:00+00', null,
 null, 16.50, 0.00, 3.30, 2.00, 21.80,
 null, null, null, null, null, null, null, null, null, null, null, null, null,
 '{}', '1773568800.300003', 'o3a'),
('ord_3', 'refunded', 'usr_3', 'GBP', '2026-03-10 14:30:00+00', '2026-03-12 09:00:00+00', null,
 null, 16.50, 0.00, 3.30, 2.00, 21.80,
 null, null, null, null, null, null, null, null, null, null, null, null, null,
 '{}', '1773568800.300003', 'o3b'),
-- ord_4: one version, wrong client clock
('ord_4', 'pending', 'usr_1', 'EUR', '2026-07-01 08:00:00+02', '2026-07-01 06:00:00+00', null,
 1767139200000, 202.00, 20.00, 34.58, 0.00, 216.58,
 '12 Rue de Rivoli', 'Apt 3', 'Paris', 'IDF', '75001', 'FR',
 'ios', '6.0.1', 'iOS 19', null, 'paypal', null, null,
 '{"coupon": "SUMMER10"}', '1785664800.500005', 'o4a'),
-- ord_5: paid -> shipped -> delivered
('ord_5', 'paid', 'usr_2', 'USD', '2026-04-01 10:00:00+00', '2026-04-01 10:00:00+00', null,
 1775037600000, 20.00, 0.00, 0.00, 5.00, 25.00,
 '350 5th Ave', null, 'New York', 'NY', '10118', 'US',
 'android', '6.0.0', 'Android 16', null, 'card', 'mastercard', '2026-04-01 10:00:01+00',
 null, '1777716000.400004', 'o5a'),
('ord_5', 'shipped', 'usr_2', 'USD', '2026-04-01 10:00:00+00', '2026-04-03 10:00:00+00', null,
 1775037600000, 20.00, 0.00, 0.00, 5.00, 25.00,
 '350 5th Ave', null, 'New York', 'NY', '10118', 'US',
 'android', '6.0.0', 'Android 16', null, 'card', 'mastercard', '2026-04-01 10:00:01+00',
 null, '1777716000.400004', 'o5b'),
('ord_5', 'delivered', 'usr_2', 'USD', '2026-04-01 10:00:00+00', '2026-04-07 10:00:00+00', null,
 1775037600000, 20.00, 0.00, 0.00, 5.00, 25.00,
 '350 5th Ave', null, 'New York', 'NY', '10118', 'US',
 'android', '6.0.0', 'Android 16', null, 'card', 'mastercard', '2026-04-01 10:00:01+00',
 null, '1777716000.400004', 'o5c');

insert into raw.order_items values
('ord_1', '2026-02-01 10:00:00+00', 'li_1a', 1, 'prd_1', 'SKU-001', 'Coffee beans 1kg', 'coffee',
 2, 10.00, 0.00, '1769940000.100001', 'i1'),
('ord_1', '2026-02-01 10:05:00+00', 'li_1a', 1, 'prd_1', 'SKU-001', 'Coffee beans 1kg', 'coffee',
 2, 10.00, 0.00, '1771236000.200002', 'i2'),
('ord_1', '2026-02-01 10:05:00+00', 'li_1b', 2, 'prd_2', 'SKU-002', 'Paper filters',
 'accessories', 1, 5.50, 0.50, '1771236000.200002', 'i3'),
('ord_1', '2026-02-03 08:00:00+00', 'li_1a', 1, 'prd_1', 'SKU-001', 'Coffee beans 1kg', 'coffee',
 2, 10.00, 0.00, '1771236000.200002', 'i4'),
('ord_1', '2026-02-03 08:00:00+00', 'li_1b', 2, 'prd_2', 'SKU-002', 'Paper filters',
 'accessories', 1, 5.50, 0.50, '1771236000.200002', 'i5'),
('ord_1', '2026-02-06 12:00:00+00', 'li_1a', 1, 'prd_1', 'SKU-001', 'Coffee beans 1kg', 'coffee',
 2, 10.00, 0.00, '1771236000.200002', 'i6'),
('ord_1', '2026-02-06 12:00:00+00', 'li_1b', 2, 'prd_2', 'SKU-002', 'Paper filters',
 'accessories', 1, 5.50, 0.50, '1771236000.200002', 'i7'),
('ord_2', '2026-02-15 09:00:00-08', 'li_2a', 1, 'prd_3', 'SKU-003', 'Espresso machine',
 'machines', 1, 100.00, 0.00, '1771236000.200002', 'i8'),
('ord_2', '2026-02-15 12:00:00-08', 'li_2a', 1, 'prd_3', 'SKU-003', 'Espresso machine',
 'machines', 1, 100.00, 0.00, '1771236000.200002', 'i9'),
('ord_2', '2026-02-20 00:00:00+00', 'li_2a', 1, 'prd_3', 'SKU-003', 'Espresso machine',
 'machines', 1, 100.00, 0.00, '1773568800.300003', 'i10'),
('ord_3', '2026-03-10 14:30:00+00', 'li_3a', 1, 'prd_2', 'SKU-002', 'Paper filters',
 'accessories', 3, 5.50, 0.00, '1773568800.300003', 'i11'),
('ord_3', '2026-03-12 09:00:00+00', 'li_3a', 1, 'prd_2', 'SKU-002', 'Paper filters',
 'accessories', 3, 5.50, 0.00, '1773568800.300003', 'i12'),
('ord_4', '2026-07-01 06:00:00+00', 'li_4a', 1, 'prd_1', 'SKU-001', 'Coffee beans 1kg', 'coffee',
 1, 12.00, 0.00, '1785664800.500005', 'i13'),
('ord_4', '2026-07-01 06:00:00+00', 'li_4b', 2, 'prd_3', 'SKU-003', 'Espresso machine',
 'machines', 2, 100.00, 10.00, '1785664800.500005', 'i14'),
('ord_5', '2026-04-01 10:00:00+00', 'li_5a', 1, 'prd_2', 'SKU-002', 'Paper filters',
 'accessories', 4, 5.50, 2.00, '1777716000.400004', 'i15'),
('ord_5', '2026-04-03 10:00:00+00', 'li_5a', 1, 'prd_2', 'SKU-002', 'Paper filters',
 'accessories', 4, 5.50, 2.00, '1777716000.400004', 'i16'),
('ord_5', '2026-04-07 10:00:00+00', 'li_5a', 1, 'prd_2', 'SKU-002', 'Paper filters',
 'accessories', 4, 5.50, 2.00, '1777716000.400004', 'i17');

insert into raw.rejected_records values
('orders', 'ord_bad1', null, '{"id": "ord_bad1", "total": "12.3"}',
 'total: amount must have exactly two decimals', '1777716000.400004',
 '2026-05-02 10:00:05+00', md5('{"id": "ord_bad1", "total": "12.3"}'));
