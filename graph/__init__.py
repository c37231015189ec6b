"""The GraphQL API of the invoices module (Strawberry on Starlette).

`graph.app.create_app` builds the ASGI application; `graph.schema.schema` is the schema, whose
SDL is exported to the repository's `schema.graphql` by `python -m graph.export`.
"""
