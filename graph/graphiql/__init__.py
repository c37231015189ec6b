"""GraphiQL, the in-browser IDE served at GET /graphql in development, with its scripts and
styles shipped in this package (graphiql, react, react-dom from npm; see
vendor/THIRD-PARTY-LICENSES.txt), so it works offline and loads nothing from another host."""

from __future__ import annotations

from importlib.resources import files
from string import Template

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC_PATH = "/graphiql/static"
PAGE = Template(files(__package__).joinpath("page.html").read_text(encoding="utf-8"))


def graphiql_page(root_path: str = "") -> str:
    """The IDE's page, its assets addressed under the API's own root."""
    return PAGE.substitute(static=f"{root_path.rstrip('/')}{STATIC_PATH}")


def graphiql_assets() -> Mount:
    """The route serving the shipped assets."""
    return Mount(
        STATIC_PATH,
        StaticFiles(packages=[(__package__, "vendor")]),
        name="graphiql-static",
    )
