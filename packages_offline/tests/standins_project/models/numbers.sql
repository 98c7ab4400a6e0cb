-- n: 1..5 and one null; grp: a/a/b/b/b/null; code: ids, one malformed, one null.
select *
from (
    values
    (1, 'a', 'ord_1', 10.00),
    (2, 'a', 'ord_2', 20.00),
    (3, 'b', 'ord_3', 30.00),
    (4, 'b', 'ORD-4', 40.00),
    (5, 'b', null, 50.00),
    (null, null, 'ord_6', null)
) as t (n, grp, code, amount)
