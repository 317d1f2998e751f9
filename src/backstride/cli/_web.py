"""CLI commands of the web app: ``serve`` and ``demo`` (and the store's ``db`` and ``users`` groups and its
``audit`` trail)."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on (127.0.0.1: this computer only)."),
        port: int = typer.Option(
            8000,
            min=0,
            max=65535,
            help="Port to listen on (0: a free one, chosen by the system and printed).",
        ),
        database_url: str | None = typer.Option(
            None,
            "--database-url",
            help="Database (default: $BACKSTRIDE_DATABASE_URL or the user's data folder).",
        ),
        blob_dir: Path | None = typer.Option(None, "--blob-dir", help="Folder for uploaded recordings."),
        cookie_secure: bool = typer.Option(
            False, "--cookie-secure", help="Send the session cookie over HTTPS only (behind a TLS proxy)."
        ),
        public_url: str | None = typer.Option(
            None,
            "--public-url",
            help="The address patients reach the app at, e.g. https://clinic.example.org, for the first-login "
            "links clinicians hand on (default: $BACKSTRIDE_PUBLIC_URL, else the address a request came to).",
        ),
        forwarded_allow_ips: str = typer.Option(
            "127.0.0.1",
            "--forwarded-allow-ips",
            help="Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed "
            "(comma-separated), so that sign-in limits count each client's own address.",
        ),
    ) -> None:
        """Start the clinic web app."""
        from sqlalchemy.exc import SQLAlchemyError

        from backstride.web import create_app

        try:
            web_app = create_app(database_url, blob_dir, cookie_secure=cookie_secure, public_url=public_url)
        except SQLAlchemyError as exc:  # a file that is no database, a server that cannot be reached
            from backstride._errors import InputError
            from backstride.cli._db import _redact, _why
            from backstride.store import database_url as default_url

            where = _redact(database_url or default_url())
            raise InputError(f"could not open the database at {where}: {_why(exc)}") from exc
        sock = listening_socket(host, port)
        typer.echo(f"backstride is running at {_address(sock)}  (Ctrl+C stops it)")
        _run(web_app, sock, forwarded_allow_ips=forwarded_allow_ips)

    @app.command()
    def demo(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
        data_dir: Path | None = typer.Option(
            None,
            "--data-dir",
            help="Folder for the demo database and recordings (default: a 'backstride-demo' folder in the "
            "system's temporary folder; never your real clinic database).",
        ),
        fresh: bool = typer.Option(True, "--fresh/--keep", help="Start from an empty demo clinic."),
        no_serve: bool = typer.Option(
            False, "--no-serve", help="Create the demo clinic and print, then stop."
        ),
    ) -> None:
        """Create a demo clinic (a therapist, two patients with a few weeks of history) and start the app."""
        from backstride.web._demo import default_demo_dir, seed_demo

        folder = data_dir if data_dir is not None else default_demo_dir()
        # the address is taken first: a port in use is said before the demo clinic is made
        sock = None if no_serve else listening_socket(host, port)
        demo_clinic = seed_demo(folder, fresh=fresh)
        typer.echo(f"Demo clinic in {folder}")
        typer.echo(f"Address: {f'http://{host}:{port}/' if sock is None else _address(sock)}")
        typer.echo("Sign in as:")
        for account in demo_clinic.accounts:
            typer.echo(f"  {account.role:<10} {account.email:<28} password: {account.password}")
        if sock is None:
            return
        from backstride.web import create_app

        web_app = create_app(
            demo_clinic.database_url, demo_clinic.blob_dir, secret_key=demo_clinic.secret_key
        )
        typer.echo("Ctrl+C stops the server.")
        _run(web_app, sock)

    _register_db(app)
    _register_users(app)
    _register_audit(app)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` as uvicorn binds one (IPv6 for an address with a colon), or one
    readable error: the address is taken before the app says it is running, so a port in use or a host that is
    not this computer's ends in one line and a non-zero exit (uvicorn logged the error after our "running at")."""
    from backstride._errors import InputError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if isinstance(exc, socket.gaierror):
            why = f"{host!r} is not an address or a name this computer knows ({exc.strerror})"
        elif exc.errno == errno.EADDRINUSE:
            why = "another program (perhaps another backstride) is listening there; stop it or give another --port"
        elif exc.errno == errno.EADDRNOTAVAIL:
            why = f"{host} is not an address of this computer (127.0.0.1: this computer only; 0.0.0.0: every address)"
        elif exc.errno == errno.EACCES:
            why = "this user may not listen on that port (ports below 1024 need privileges); give another --port"
        else:
            why = exc.strerror or str(exc)
        raise InputError(f"cannot listen on {host}:{port}: {why}") from None
    sock.set_inheritable(True)
    return sock


def _address(sock: socket.socket) -> str:
    """The address a bound socket answers at, with the port it got (``--port 0``: one the system chose)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if sock.family == socket.AF_INET6 else f"http://{host}:{port}/"


def _run(web_app: object, sock: socket.socket, **options: object) -> None:
    """Serve ``web_app`` on the bound ``sock`` with uvicorn, logging only warnings."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(web_app, log_level="warning", **options))  # type: ignore[arg-type]
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _register_db(app: typer.Typer) -> None:
    """The store's ``db`` command group (``backstride db upgrade``, ``backstride db status``)."""
    from backstride.cli._db import register_db

    register_db(app)


def _register_users(app: typer.Typer) -> None:
    """The clinic's accounts: the ``users`` command group (``backstride users add``, ``list``, ``access``...)."""
    from backstride.cli._users import register_users

    register_users(app)


def _register_audit(app: typer.Typer) -> None:
    """The clinic's audit trail: ``backstride audit``."""
    from backstride.cli._audit import register_audit

    register_audit(app)
