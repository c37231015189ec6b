"""The dashboard's entry point (`streamlit run dashboard/app.py`, or `ispbox dashboard`).

ISPBOX_API_URL names the GraphQL endpoint (default http://127.0.0.1:8000/graphql). Each person
signs in with their own API token in the sidebar; ISPBOX_API_TOKEN signs in visitors only where
the API runs in development (see `dashboard.session`).
"""

from dashboard.navigation import run_app

run_app()
