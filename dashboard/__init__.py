"""The Streamlit dashboard of the invoices module; it reaches the API only through GraphQL."""
