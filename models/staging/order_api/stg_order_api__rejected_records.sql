-- Not incremental: a view over the quarantine, read for inspection only.
{{ config(materialized='view') }}

-- Quarantined records that violated the API contract, for inspection.
with

source as (

    select * from {{ source('order_api', 'rejected_records') }}

),

renamed as (

    select
        -- ids
        feed,
        record_id,
        payload_hash,

        -- attributes
        reason,
        payload,
        payload_text,

        -- timestamps
        cast(rejected_at as {{ type_timestamptz() }}) as rejected_at,

        -- load metadata
        load_id as dlt_load_id

    from source

)

select * from renamed
