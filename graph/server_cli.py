"""``retouch serve`` (HTTP API + browser editor) and ``retouch mcp`` (MCP over stdio).

graph/cli.py calls ``register(app)``; the server dependencies (fastapi, uvicorn, mcp) are imported
only when one of these commands runs, so the rest of the CLI works without the server extra.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``serve`` and ``mcp`` commands to the ``retouch`` CLI."""

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="interface to listen on (0.0.0.0 to expose it)"),
        port: int = typer.Option(8000, help="TCP port"),
        store: str = typer.Option(None, help="store URL (default: RETOUCH_STORE or SQLite in the data dir)"),
        engines: str = typer.Option(None, help="classical, neural, auto or ray://HOST:PORT (engines served by Ray)"),
        api_key: str = typer.Option(None, envvar="RETOUCH_API_KEY", help="require this key (X-API-Key)"),
        workers: int = typer.Option(4, help="turns run at once (threads)"),
        log_level: str = typer.Option("info", help="uvicorn log level"),
    ) -> None:
        """Serve the HTTP API and the browser editor (http://HOST:PORT/)."""
        import uvicorn

        from graph.api import Editor
        from graph.settings import Settings

        from .server import ServerConfig, create_app

        config = ServerConfig(**({"api_key": api_key} if api_key else {}))
        editor = Editor(Settings.load(store=store, engines=engines))
        application = create_app(editor, config=config, workers=workers)
        typer.echo(f"Retouch editor on http://{host}:{port}/  (API docs: /docs)")
        try:
            uvicorn.run(application, host=host, port=port, log_level=log_level)
        finally:
            editor.close()

    @app.command()
    def mcp(
        store: str = typer.Option(None, help="store URL (default: RETOUCH_STORE or SQLite in the data dir)"),
        engines: str = typer.Option(None, help="classical, neural, auto or ray://HOST:PORT (engines served by Ray)"),
    ) -> None:
        """Run the MCP server over stdio (for MCP clients such as desktop assistants and IDEs)."""
        from .mcp_server import run_stdio

        run_stdio(store=store, engines=engines)
