"""Persistence: Tortoise ORM models, the database configuration and the migrations."""
