"""Alembic migrations for the Frontdesk schema (a package so that installing Frontdesk ships them)."""
