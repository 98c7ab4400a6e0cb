{{
    config(
        unique_key='location_key',
    )
}}

-- Why incremental (measured, bench/README.md): rebuilt whole 2.5 s, nightly 0.6 s at 100k orders
-- (a location per address: it grows with the orders).
-- Shipping locations (country, region, city, postal code) seen on any observed order version.
-- Orders without a shipping address map to the single all-null "unknown" location.
-- Incremental (delete+insert on location_key): the history of order versions only grows, so
-- a build adds the locations of the versions written since the last build, and rewrites the
-- locations whose country name or world region the countries seed no longer gives (seed
-- edited); the result equals a full build.
with

order_versions as (

    select * from {{ ref('base_order_api__order_versions') }}
    where {{ built_after_last_build('built_at') }}

),

countries as (

    select * from {{ ref('countries') }}

),

locations as (

    select
        shipping_country_code as country_code,
        shipping_region as region,
        shipping_city as city,
        shipping_postal_code as postal_code

    from order_versions

    {% if is_incremental() -%}

        union

        -- locations built with country attributes that the seed no longer gives
        select
            built.country_code,
            built.region,
            built.city,
            built.postal_code

        from {{ this }} as built
        left join countries
            on built.country_code = countries.country_code
        where
            coalesce(countries.country_name, built.country_code, 'Unknown')
            is distinct from built.country_name
            or coalesce(countries.world_region, 'Unknown') is distinct from built.world_region

    {%- endif %}

),

distinct_locations as (

    select distinct
        country_code,
        region,
        city,
        postal_code

    from locations

)

select
    {{ dbt_utils.generate_surrogate_key([
        'distinct_locations.country_code',
        'distinct_locations.region',
        'distinct_locations.city',
        'distinct_locations.postal_code',
    ]) }} as location_key,
    distinct_locations.country_code,
    coalesce(countries.country_name, distinct_locations.country_code, 'Unknown')
        as country_name,
    coalesce(countries.world_region, 'Unknown') as world_region,
    cast(distinct_locations.region as {{ type_text() }}) as region,
    cast(distinct_locations.city as {{ type_text() }}) as city,
    cast(distinct_locations.postal_code as {{ type_text() }}) as postal_code,
    distinct_locations.country_code is null as is_unknown,
    {{ build_stamp() }} as built_at

from distinct_locations
left join countries
    on distinct_locations.country_code = countries.country_code
