"""Persistence: SQLAlchemy 2 models, repositories and Alembic migrations.

SQLite (WAL) at `.mldebt/mldebt.db` by default; any SQLAlchemy URL (PostgreSQL first of all)
through `--db` or `MLDEBT_DATABASE_URL`.
"""
