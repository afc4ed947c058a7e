"""``ccs-mock``: serve the fake, print its credentials, print the fidelity table."""
from __future__ import annotations

import dataclasses
import json
import logging
import sys
from pathlib import Path

import click

from mock_server.app import build_context, create_app
from mock_server.fidelity import fidelity_tables
from mock_server.resources import fixture_path, spec_path
from mock_server.seed import Fixtures
from mock_server.server import LiveServer
from mock_server.settings import LOOPBACK_CALLBACK_HOSTS, Settings
from mock_server.spec import Spec
from mock_server.tls import hosts_lines, server_tls

fixtures_option = click.option("--fixtures", default=None, help="Bundled fixture name (demo) or a YAML path.")
seed_option = click.option("--seed", type=int, default=None, help="Override the fixture file's seed.")


@click.group()
@click.version_option(package_name="ccs-mock")
def main() -> None:
    """A local fake of a Call Center Studio / Alotech tenant."""


def credentials_of(ccs) -> list[dict]:
    tenants = []
    for tenant in ccs.backend.tenants.list():
        tokens = [t["token"] for t in ccs.store.list_app_tokens(tenant.host) if t["revoked_at"] is None]
        tenants.append({"name": tenant.name, "host": tenant.host, "app_token": tokens[0] if tokens else None,
                        "users": [u["email"] for u in ccs.store.list_users(tenant.host)]})
    return tenants


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless told).")
@click.option("--port", default=8080, show_default=True, type=int)
@fixtures_option
@click.option("--db", default="ccs-mock.sqlite3", show_default=True,
              help="SQLite file that keeps state across restarts; ':memory:' for none.")
@seed_option
@click.option("--clock", "clock_mode", type=click.Choice(["system", "manual"]), default="system", show_default=True,
              help="system: wall time (tenant local); manual: moves only through POST /_mock/clock.")
@click.option("--speed", type=float, default=1.0, show_default=True, help="System clock speed-up factor.")
@click.option("--clock-start", default=None, help="Start time 'YYYY-MM-DD HH:MM:SS' (default: now / fixture start).")
@click.option("--tls", is_flag=True, help="HTTPS with a local CA and a certificate for every tenant and softphone host.")
@click.option("--tls-dir", default="ccs-mock-tls", show_default=True, help="Where the local CA is kept (ca.pem).")
def serve(host: str, port: int, fixtures: str | None, db: str, seed: int | None, clock_mode: str, speed: float,
          clock_start: str | None, tls: bool, tls_dir: str) -> None:
    """Start the fake and print how to reach each tenant."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.load(fixtures=fixtures, db=db, seed=seed, clock=clock_mode, clock_speed=speed,
                             clock_start=clock_start)
    fixture = Fixtures.load(fixture_path(settings.fixtures))
    secure = server_tls(Path(tls_dir), fixture.tenant_hosts()) if tls else None
    if secure is not None:
        settings = dataclasses.replace(settings, delivery_ca_bundle=str(secure.bundle_path))
    total = fixture.call_count()
    with click.progressbar(length=total, label="Seeding call records", file=sys.stderr) as bar:
        app = create_app(settings, progress=bar.update)
    ccs = app.extensions["ccs"]
    try:
        server = LiveServer(app, host, port, ssl_context=secure.context if secure else None)
    except PermissionError:
        raise click.ClickException(f"port {port} needs root (or CAP_NET_BIND_SERVICE); try --port 8443") from None
    if host not in LOOPBACK_CALLBACK_HOSTS:
        click.secho(f"warning: listening on {host}, reachable from other machines", fg="yellow", err=True)
    click.echo(f"ccs-mock serving on {server.url}  (clock: {ccs.clock.mode}, now {ccs.clock_now_text()}, "
               f"db: {settings.db})")
    for tenant in credentials_of(ccs):
        default = " (default: answers on 127.0.0.1 and localhost)" if tenant["host"] == ccs.store.default_tenant()[
            "host"] else ""
        click.echo(f"\n  {tenant['host']}{default}")
        click.echo(f"    app_token: {tenant['app_token']}")
        click.echo(f"    agents:    {', '.join(tenant['users'])}")
        click.echo(f"    try:       curl -H 'Host: {tenant['host']}' "
                   f"'{server.url}/api/?function=login&email={tenant['users'][0]}&app_token={tenant['app_token']}'")
    if secure is not None:
        names = f"https://{ccs.backend.tenants.list()[0].host}" + ("" if port == 443 else f":{server.port}")
        click.echo(f"\n  TLS: certificate for {', '.join(secure.hosts)} and loopback, signed by the local CA")
        click.echo(f"    CA file:   {secure.ca_path.resolve()}   (curl --cacert, requests verify=, REQUESTS_CA_BUNDLE)")
        click.echo(f"    /etc/hosts: {hosts_lines([t.host for t in ccs.backend.tenants.list()])}")
        click.echo(f"    then:      {names}/api/?function=ping&app_token=...")
    click.echo(f"\n  dashboard:   {server.url}/_mock/   (the sandbox: tenants, sessions, calls, CDRs, clock)")
    click.echo(f"  demo CRM:    {server.url}/_mock/demo   (sign in, softphone iframe, click-to-call, contact cards)")
    click.echo(f"  softphone:   {server.url}/generic/sso/?tenant=TENANT_HOST&session=SESSION_FROM_LOGIN")
    click.echo(f"  control API: {server.url}/_mock/... (spec at {server.url}/_mock/openapi/control.yaml)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@fixtures_option
@seed_option
def credentials(as_json: bool, fixtures: str | None, seed: int | None) -> None:
    """Print tenants, hosts, app tokens and agent e-mails of the fixtures."""
    ccs = build_context(Settings.load(fixtures=fixtures, seed=seed))
    tenants = credentials_of(ccs)
    if as_json:
        click.echo(json.dumps({"tenants": tenants}, indent=2, ensure_ascii=False))
        return
    for tenant in tenants:
        click.echo(f"{tenant['host']}\n  app_token: {tenant['app_token']}\n  users:     {', '.join(tenant['users'])}")


@main.command()
@fixtures_option
@click.option("--address", default="127.0.0.1", show_default=True, help="Address the names should resolve to.")
def hosts(fixtures: str | None, address: str) -> None:
    """Print the /etc/hosts line that sends the tenant and softphone hosts to the fake."""
    fixture = Fixtures.load(fixture_path(Settings.load(fixtures=fixtures).fixtures))
    click.echo(hosts_lines(fixture.tenant_hosts(), address))


@main.command()
def fidelity() -> None:
    """Print the fidelity table (confirmed / seen in client / assumed) generated from the spec."""
    click.echo(fidelity_tables())


if __name__ == "__main__":  # pragma: no cover
    main()
