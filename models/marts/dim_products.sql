-- Product dimension (type 1): the latest version of every product.
with

products as (

    select * from {{ ref('stg_order_api__products') }}

)

select
    {{ dbt_utils.generate_surrogate_key(['product_id']) }} as product_key,
    product_id,
    sku,
    product_name,
    product_category,
    currency,
    list_price,
    is_active,
    updated_at

from products
