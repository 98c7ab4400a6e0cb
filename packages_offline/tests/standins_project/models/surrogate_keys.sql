-- generate_surrogate_key over tuples that differ only by null vs '' vs a value, next to the
-- md5 that upstream dbt_utils documents for them.
with

tuples as (

    select *
    from (
        values
        (1, 'a', 'b'),
        (2, 'a', null),
        (3, null, 'a'),
        (4, '', 'a'),
        (5, 'a', ''),
        (6, 'a', 'b')
    ) as t (id, f1, f2)

)

select
    id,
    {{ dbt_utils.generate_surrogate_key(['f1', 'f2']) }} as surrogate_key,
    md5(
        coalesce(f1, '_dbt_utils_surrogate_key_null_')
        || '-'
        || coalesce(f2, '_dbt_utils_surrogate_key_null_')
    ) as expected_key

from tuples
