-- MetricFlow's daily time spine (dbt 1.9+ `time_spine:` config in _time_spine.yml): the UTC
-- days of dim_dates, which covers whole years of order activity.
select date_day

from {{ ref('dim_dates') }}
