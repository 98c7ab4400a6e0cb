-- The validity intervals [valid_from, valid_to) of one user's versions must not overlap,
-- otherwise a point-in-time join could return two versions for one order.
select
    earlier.user_id,
    earlier.user_key as earlier_user_key,
    later.user_key as later_user_key

from {{ ref('dim_users') }} as earlier
inner join {{ ref('dim_users') }} as later
    on
        earlier.user_id = later.user_id
        and earlier.user_key != later.user_key
        and earlier.valid_from <= later.valid_from
        and earlier.valid_to > later.valid_from
