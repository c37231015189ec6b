"""The billing rules of the invoices module, free of HTTP and queues.

Each module is one use case; `graph/` and `workers/` call them, and they read and write through
`orm/`.
"""
