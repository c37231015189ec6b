"""The dashboard's entry point (`streamlit run dashboard/app.py`, or `ispbox dashboard`).

ISPBOX_API_URL names the GraphQL endpoint (default http://127.0.0.1:8000/graphql) and
ISPBOX_API_TOKEN the token; a token entered in the sidebar takes precedence.
"""

from dashboard.navigation import run_app

run_app()
