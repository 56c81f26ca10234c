"""Alembic environment: the engine comes from ``geo.kernel.db.alembic_config``, not a file."""

from alembic import context
from sqlalchemy import Engine

engine: Engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, version_table_schema="public")
    context.run_migrations()
