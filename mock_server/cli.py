"""``ccs-mock``: serve the fake, print its credentials, print the fidelity table."""
from __future__ import annotations

import dataclasses
import ipaddress
import json
import logging
import secrets
import socket
import sys
from pathlib import Path

import click

from mock_server.app import build_context, create_app
from mock_server.domain.callback_urls import CallbackHosts
from mock_server.tools.fidelity import fidelity_tables
from mock_server.resources import fixture_path
from mock_server.seed import Fixtures
from mock_server.runtime.server import LiveServer
from mock_server.settings import Settings
from mock_server.spec import SpecMismatch
from mock_server.runtime.tls import hosts_lines, server_tls
from mock_server.runtime.workers import serve_workers

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
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (gunicorn) sharing the --db file; more than 1 needs a file database.")
@click.option("--threads", default=16, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker process (--workers > 1).")
@click.option("--control-token", envvar="CCS_MOCK_CONTROL_TOKEN", default=None,
              help="Token the control API requires; generated when binding beyond loopback without one.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Another Host name the control API (/_mock/) answers on (repeatable; env CCS_MOCK_ALLOWED_HOSTS). "
                   "'*' allows any name: unsafe, a DNS-rebinding page could then drive the sandbox.")
@click.option("--journal-max-rows", type=click.IntRange(min=0), default=None,
              help="The journal keeps the newest N vendor requests; 0 keeps every one.  [default: 10000]")
@click.option("--replay", "replay_dir", default=None, type=click.Path(file_okay=False, exists=True),
              help="Answer requests recorded by `ccs-mock proxy --record DIR` from that folder.")
@click.option("--allow-callback-host", "callback_hosts", multiple=True, metavar="HOST_OR_CIDR",
              help="Also send hangup POSTs and notifications to this host name, IP address or CIDR range "
                   "(repeatable; added to allowed_callback_hosts, by default 127.0.0.1, localhost, ::1).")
def serve(host: str, port: int, fixtures: str | None, db: str, seed: int | None, clock_mode: str, speed: float,
          clock_start: str | None, tls: bool, tls_dir: str, workers: int, threads: int,
          control_token: str | None, allowed_hosts: tuple[str, ...], journal_max_rows: int | None,
          replay_dir: str | None, callback_hosts: tuple[str, ...]) -> None:
    """Start the fake and print how to reach each tenant."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if not control_token and not is_loopback(host):
        control_token = secrets.token_urlsafe(24)
    settings = Settings.load(fixtures=fixtures, db=db, seed=seed, clock=clock_mode, clock_speed=speed,
                             clock_start=clock_start, control_token=control_token, replay_dir=replay_dir,
                             journal_max_rows=journal_max_rows)
    hosts = tuple(dict.fromkeys(settings.allowed_callback_hosts + tuple(h.strip().lower() for h in callback_hosts)))
    try:
        CallbackHosts.parse(hosts)
    except ValueError as error:
        raise click.ClickException(f"{error} Give host names (crm.internal), IP addresses (10.20.0.5) or CIDR ranges "
                                   "(10.20.0.0/16) with --allow-callback-host or CCS_MOCK_ALLOWED_CALLBACK_HOSTS "
                                   "(comma-separated)") from None
    settings = dataclasses.replace(settings, allowed_callback_hosts=hosts)
    bound = () if host in WILDCARD_ADDRESSES else (host,)  # the address itself names the fake
    settings = dataclasses.replace(settings, allowed_hosts=(*settings.allowed_hosts, *allowed_hosts, *bound))
    if "*" in settings.allowed_hosts:
        click.secho("warning: the control API answers any Host name (--allowed-host '*'): a page that rebinds its "
                    "own name to this machine can drive the sandbox", fg="yellow", err=True)
    elif not bound:
        click.secho("note: the control API answers only loopback, the tenant and softphone names; add the name "
                    "this machine is reached by with --allowed-host NAME", fg="yellow", err=True)
    fixture = Fixtures.load(fixture_path(settings.fixtures))
    if settings.db != ":memory:":
        Path(settings.db).parent.mkdir(parents=True, exist_ok=True)
    secure = server_tls(Path(tls_dir), fixture.tenant_hosts()) if tls else None
    if secure is not None:
        settings = dataclasses.replace(settings, delivery_ca_bundle=str(secure.bundle_path))
    if workers > 1:
        if settings.db == ":memory:":
            raise click.ClickException("--workers needs a file database (--db PATH): the processes share it")
        settings = dataclasses.replace(settings, clock_shared=True, delivery_lock=settings.db + ".delivery.lock")
    try:
        with click.progressbar(length=fixture.call_count(), label="Seeding call records", file=sys.stderr) as bar:
            app = create_app(settings, progress=bar.update)
    except SpecMismatch as error:  # an edited spec the code does not serve: say so, no traceback
        raise click.ClickException(str(error)) from None
    ccs = app.extensions["ccs"]
    if workers == 1:
        try:
            server = LiveServer(app, host, port, ssl_context=secure.context if secure else None)
        except PermissionError:
            raise click.ClickException(f"port {port} needs root (or CAP_NET_BIND_SERVICE); try --port 8443") from None
        banner(ccs, server.url, port, secure, workers)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("stopped")
        return
    listener = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.set_inheritable(True)
    address = f"[{host}]" if ":" in host else host
    banner(ccs, f"{'https' if secure else 'http'}://{address}:{listener.getsockname()[1]}", port, secure, workers)
    ccs.store.close()  # each worker opens the file itself
    ccs.pristine.close()
    serve_workers(create_app, settings, listener, workers, threads, (str(secure.server_pem),) * 2 if secure else None)


WILDCARD_ADDRESSES = ("", "0.0.0.0", "::", "[::]")


def is_loopback(host: str) -> bool:
    """True when only this machine can reach the address (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def page_links(url: str, control_token: str | None) -> dict[str, str]:
    """The sandbox pages' addresses. The control token rides in the fragment, which a browser never sends
    (so no access log or proxy sees it); the pages keep it for the tab and drop it from the address bar."""
    fragment = f"#token={control_token}" if control_token else ""
    return {name: f"{url}/_mock/{path}{fragment}" for name, path in (("dashboard", ""), ("demo", "demo"),
                                                                      ("docs", "docs"))}


def banner(ccs, url: str, port: int, secure, workers: int) -> None:
    """What `serve` prints: where each tenant is, its credentials, and the sandbox's pages."""
    settings = ccs.settings
    if settings.control_token:
        click.secho("warning: the control API needs its token (printed below)", fg="yellow", err=True)
    processes = f", {workers} worker processes" if workers > 1 else ""
    offset = ccs.fixtures.utc_offset_minutes  # the clock tells tenant-local time; the log lines do not
    zone = f"UTC{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    click.echo(f"ccs-mock serving on {url}  (clock: {ccs.clock.mode}, now {ccs.clock_now_text()} tenant time {zone}, "
               f"db: {settings.db}{processes})")
    for tenant in credentials_of(ccs):
        default = " (default: answers on 127.0.0.1 and localhost)" if tenant["host"] == ccs.store.default_tenant()[
            "host"] else ""
        click.echo(f"\n  {tenant['host']}{default}")
        click.echo(f"    app_token: {tenant['app_token']}")
        click.echo(f"    agents:    {', '.join(tenant['users'])}")
        click.echo(f"    try:       curl -H 'Host: {tenant['host']}' "
                   f"'{url}/api/?function=login&email={tenant['users'][0]}&app_token={tenant['app_token']}'")
    if secure is not None:
        names = f"https://{ccs.backend.tenants.list()[0].host}" + ("" if port == 443 else f":{url.rsplit(':', 1)[1]}")
        click.echo(f"\n  TLS: certificate for {', '.join(secure.hosts)} and loopback, signed by the local CA")
        click.echo(f"    CA file:   {secure.ca_path.resolve()}   (curl --cacert, requests verify=, REQUESTS_CA_BUNDLE)")
        click.echo(f"    /etc/hosts: {hosts_lines([t.host for t in ccs.backend.tenants.list()])}")
        click.echo(f"    then:      {names}/api/?function=ping&app_token=...")
    links = page_links(url, settings.control_token)
    if settings.control_token:
        click.echo(f"\n  control token: {settings.control_token}   (header `Authorization: Bearer TOKEN`)")
    click.echo(f"\n  dashboard:   {links['dashboard']}   (the sandbox: tenants, sessions, calls, CDRs, clock)")
    click.echo(f"  demo CRM:    {links['demo']}   (sign in, softphone iframe, click-to-call, contact cards)")
    click.echo(f"  softphone:   {url}/generic/sso/?tenant=TENANT_HOST&session=SESSION_FROM_LOGIN")
    click.echo(f"  API docs:    {links['docs']}")
    click.echo(f"  control API: {url}/_mock/... (spec at {url}/_mock/openapi/control.yaml)")


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


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--base-url", envvar="CCS_BASE_URL", required=True, help="The tenant, e.g. https://acme.alo-tech.com")
@click.option("--app-token", envvar="CCS_APP_TOKEN", required=True, help="env CCS_APP_TOKEN (never printed)")
@click.option("--email", envvar="CCS_EMAIL", required=True, help="An agent's e-mail (env CCS_EMAIL).")
@click.option("--report", default="ccs-check-report.md", show_default=True, type=click.Path(dir_okay=False),
              help="Markdown report; the same findings as JSON next to it (.json).")
@click.argument("kit_args", nargs=-1, type=click.UNPROCESSED)
def check(base_url: str, app_token: str, email: str, report: str, kit_args: tuple[str, ...]) -> None:
    """Run the contract kit against a tenant and report, per operation and per assumption of the spec,
    confirmed / contradicted / not exercised, with evidence. Extra arguments go to the kit
    (e.g. --ccs-allow-calls --ccs-phone-number N; calls are never placed without them)."""
    from mock_server.tools.check import KitMissing, check as run_check

    try:
        code, findings = run_check(base_url, app_token, email, Path(report), list(kit_args))
    except KitMissing as error:
        raise click.ClickException(str(error)) from None
    counts = {status: sum(1 for f in findings if f.status == status) for status in
              ("confirmed", "contradicted", "not exercised")}
    for finding in findings:
        if finding.status == "contradicted":
            click.secho(f"contradicted: {finding.id} ({finding.kind}, spec: {finding.level})",
                        fg="yellow" if finding.level == "assumed" else "red")
    click.echo(f"{counts['confirmed']} confirmed, {counts['contradicted']} contradicted, "
               f"{counts['not exercised']} not exercised; report: {report} (and {Path(report).with_suffix('.json')})")
    sys.exit(code)


@main.command()
@click.option("--upstream", required=True, help="The real tenant, e.g. https://acme.alo-tech.com")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, type=int)
@click.option("--log", "drift_log", default="ccs-proxy-drift.jsonl", show_default=True, type=click.Path(dir_okay=False),
              help="Drift lines (JSON, secrets masked).")
@click.option("--record", default=None, type=click.Path(file_okay=False),
              help="Save every exchange, redacted, in this folder (for `serve --replay`).")
def proxy(upstream: str, host: str, port: int, drift_log: str, record: str | None) -> None:
    """A validation proxy: point the CRM at it; it forwards to the tenant and logs where answers drift
    from the spec."""
    from mock_server.http.proxy import create_proxy

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    app = create_proxy(upstream, Path(record) if record else None, Path(drift_log))
    server = LiveServer(app, host, port)
    click.echo(f"ccs-mock proxy on {server.url} -> {upstream}  (drift log: {drift_log}"
               + (f", recording to {record}" if record else "") + ")")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")


@main.command()
@click.option("--kit", is_flag=True, help="Instead: every claim of the vendor spec with the kit tests that check it.")
def fidelity(kit: bool) -> None:
    """Print the fidelity table (confirmed / seen in client / assumed) generated from the spec."""
    if kit:
        from mock_server.tools.check import KitMissing, require_kit
        from mock_server.tools.fidelity import kit_table

        try:
            require_kit("ccs-mock fidelity --kit reads")
        except KitMissing as error:
            raise click.ClickException(str(error)) from None
        click.echo(kit_table())
        return
    click.echo(fidelity_tables())


if __name__ == "__main__":  # pragma: no cover
    main()
