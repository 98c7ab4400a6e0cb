"""`target` for sqlfluff's jinja templater (`library_path` in .sqlfluff), not for dbt: the
SQL is linted as the PostgreSQL target renders it."""

type = "postgres"  # noqa: A001 - dbt's name
name = "dev"
