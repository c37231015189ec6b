"""The GraphQL object types, one module per domain type."""
