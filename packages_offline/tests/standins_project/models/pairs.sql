-- (a, b) pairs: unique as a whole, but (a) alone repeats; one exact duplicate in (a, c).
select *
from (
    values
    (1, 'x', 'p'),
    (1, 'y', 'p'),
    (2, 'x', 'q'),
    (2, null, 'q')
) as t (a, b, c)
