-- Shipping locations (country, region, city, postal code) seen on orders. Orders without a
-- shipping address map to the single all-null "unknown" location.
with

orders as (

    select * from {{ ref('stg_order_api__orders') }}

),

countries as (

    select * from {{ ref('countries') }}

),

locations as (

    select distinct
        shipping_country_code as country_code,
        shipping_region as region,
        shipping_city as city,
        shipping_postal_code as postal_code

    from orders

)

select
    {{ dbt_utils.generate_surrogate_key(
        ['locations.country_code', 'locations.region', 'locations.city', 'locations.postal_code']
    ) }} as location_key,
    locations.country_code,
    coalesce(countries.country_name, locations.country_code, 'Unknown') as country_name,
    coalesce(countries.world_region, 'Unknown') as world_region,
    locations.region,
    locations.city,
    locations.postal_code,
    locations.country_code is null as is_unknown

from locations
left join countries
    on locations.country_code = countries.country_code
