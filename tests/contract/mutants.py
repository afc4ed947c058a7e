"""Deliberately broken tenants: a proxy in front of one healthy fake, breaking one fact of the spec.

Each ``Mutant`` names the claim of ``openapi/ccs.yaml`` it breaks (all confirmed or seen in client),
and changes requests on their way in, answers on their way out, or the hangup POST the fake sends
(the proxy puts itself in ``hangup_url`` and alters the POST before passing it on). The proxy passes
``/_mock/`` through, so the kit knows it talks to a fake. Two healthy mutants prove the kit does not
cry wolf: a plain proxy, and a slow one whose front end answers 405/501 to methods the spec does not
declare. ``benchmarks/kit_mutation_score.py`` runs the whole kit against the whole catalogue; the test suite
runs a subset, each against the kit tests that name its claim (``kit_selection``).
"""
from __future__ import annotations

import base64
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

import requests
from flask import Flask, Response, request

import contract_tests
from mock_server.runtime.server import LiveServer
from mock_server.spec import is_error_body
from mock_server.tools import check
from mock_server.tools.fidelity import kit_tests

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"]
DEAD = "Yanlış API anahtarı"


@dataclass
class Exchange:
    """One request through the proxy: the mutant may change ``params`` before it goes on, and
    ``status``/``content_type``/``text`` after the fake answered."""

    method: str
    path: str
    params: dict[str, str]
    status: int = 200
    content_type: str = ""
    text: str = ""

    @property
    def function(self) -> str:
        return self.params.get("function", "") if self.path.rstrip("/") == "/api" else ""

    @property
    def body(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    @body.setter
    def body(self, value: Any) -> None:
        self.text = json.dumps(value, ensure_ascii=False)


Hook = Callable[[Exchange, dict], None]


@dataclass(frozen=True)
class Mutant:
    name: str
    claim: str  # the claim of openapi/ccs.yaml it breaks ("" for the healthy ones)
    breaks: str
    on_request: Hook | None = None
    on_response: Hook | None = None
    on_hangup: Callable[[dict[str, str]], tuple[str, str]] | None = None  # form -> (content type, body)
    latency: float = 0.0
    undeclared: dict[str, int] = field(default_factory=dict)  # method -> status the front end answers

    @property
    def healthy(self) -> bool:
        return not self.claim


# -- small building blocks ---------------------------------------------------------------------------
class New(dict):
    """What a change returns to replace the whole body (otherwise it edits the body in place)."""


def on(function: str, change: Callable[[dict, Exchange], Any]) -> Hook:
    """Change the JSON answer of one function: ``change`` edits the body in place, or returns ``New(...)``."""
    def hook(ex: Exchange, state: dict) -> None:
        body = ex.body
        if ex.function == function and isinstance(body, dict):
            result = change(body, ex)
            ex.body = dict(result) if isinstance(result, New) else body
    return hook


def on_records(change: Callable[[dict], None]) -> Hook:
    def each(body: dict, ex: Exchange) -> None:
        for record in body.get("CallList", []):
            change(record)
    return on("reportsCDRLogs", each)


def param(name: str, change: Callable[[str | None], str | None], function: str = "reportsCDRLogs") -> Hook:
    def hook(ex: Exchange, state: dict) -> None:
        if ex.function == function:
            value = change(ex.params.get(name))
            if value is None:
                ex.params.pop(name, None)
            else:
                ex.params[name] = value
    return hook


def error_answer(change: Callable[[Exchange], None], when: Callable[[Exchange], bool] = lambda ex: True) -> Hook:
    def hook(ex: Exchange, state: dict) -> None:
        if ex.function and is_error_body(ex.body) and when(ex):
            change(ex)
    return hook


def bad_date(ex: Exchange) -> bool:
    return "Invalid value for parameter 'startdate'" in ex.text or "Invalid value for parameter 'finishdate'" in ex.text


def rename(body: dict, old: str, new: str) -> None:
    if old in body:
        body[new] = body.pop(old)


def same_session(ex: Exchange, state: dict) -> None:
    body = ex.body
    if ex.function == "login" and isinstance(body, dict) and body.get("login") is True:
        body["session"] = state.setdefault(("session", ex.params.get("email", "").lower()), body["session"])
        ex.body = body


REPEAT = "ccs-repeat-"


def last_cursor_repeats_request(ex: Exchange, state: dict) -> None:
    """The last page's cursor leads to the same page again (the request without the cursor)."""
    cursor = ex.params.get("cursor", "")
    if ex.function == "reportsCDRLogs" and cursor.startswith(REPEAT):
        ex.params.clear()
        ex.params.update(json.loads(base64.urlsafe_b64decode(cursor[len(REPEAT):])))


def last_cursor_repeats_answer(ex: Exchange, state: dict) -> None:
    body = ex.body
    if ex.function == "reportsCDRLogs" and isinstance(body, dict) and 0 < len(body.get("CallList", [])) < 100:
        token = base64.urlsafe_b64encode(json.dumps(ex.params).encode()).decode()
        body["cursor"] = REPEAT + token
        ex.body = body


def overlapping_pages(ex: Exchange, state: dict) -> None:
    body = ex.body
    if ex.function != "reportsCDRLogs" or not isinstance(body, dict) or not body.get("CallList"):
        return
    last = body["CallList"][-1]
    if ex.params.get("cursor") and "last" in state:
        body["CallList"] = [state["last"]] + body["CallList"][:-1]
        ex.body = body
    state["last"] = last


def both(*hooks: Hook) -> Hook:
    def hook(ex: Exchange, state: dict) -> None:
        for each in hooks:
            each(ex, state)
    return hook


def hangup_fields(change: Callable[[dict[str, str]], dict[str, str]]) -> Callable[[dict[str, str]], tuple[str, str]]:
    return lambda form: ("application/x-www-form-urlencoded", urlencode(change(dict(form))))


def drop(name: str) -> Callable[[dict], None]:
    return lambda record: record.pop(name, None)


def shift_day(value: str | None) -> str | None:
    """A well-formed date one day later; anything else unchanged."""
    try:
        moved = datetime.strptime(value or "", "%Y-%m-%d %H:%M:%S") + timedelta(days=1)
    except ValueError:
        return value
    return moved.strftime("%Y-%m-%d %H:%M:%S")


CATALOGUE: list[Mutant] = [
    Mutant("healthy", "", "nothing: a plain proxy"),
    Mutant("healthy_slow", "", "nothing, slowly: 20 ms per answer, 405/501 to undeclared methods",
           latency=0.02, undeclared={"TRACE": 501, "QUERY": 501, "PUT": 405, "PATCH": 405, "DELETE": 405,
                                     "OPTIONS": 405}),
    # login (facts §15.1, §2.2, §13.1)
    Mutant("login_message_changed", "login.bodies", "success message is not 'Login Successful!'",
           on_response=on("login", lambda b, ex: b.update(message="Login OK") if b.get("login") is True else None)),
    Mutant("login_without_language", "login.bodies", "success body has no `language`",
           on_response=on("login", lambda b, ex: b.pop("language", None) and None)),
    Mutant("login_unknown_email_message", "login.bodies", "unknown e-mail is not 'User not found'",
           on_response=on("login", lambda b, ex: b.update(message="Kullanıcı bulunamadı")
                          if b.get("message") == "User not found" else None)),
    Mutant("login_bad_token_message", "login.bodies", "bad token is not 'Invalid Application Token'",
           on_response=on("login", lambda b, ex: b.update(message="Invalid token")
                          if b.get("message") == "Invalid Application Token" else None)),
    Mutant("login_session_renamed", "login.bodies", "`session` answered as `session_token` (D-V17's example)",
           on_response=on("login", lambda b, ex: rename(b, "session", "session_token"))),
    Mutant("login_flag_as_string", "login.bodies", "`login` is the string \"true\"",
           on_response=on("login", lambda b, ex: b.update(login="true") if b.get("login") is True else None)),
    Mutant("login_same_session", "login.new-session", "every login of a user returns the first session key",
           on_response=same_session),
    # sessions (facts §6.1, §6.2)
    Mutant("dead_session_without_login_flag", "session.relogin-signal", "a dead session's answer lacks login: false",
           on_response=error_answer(lambda ex: ex.__setattr__("text", json.dumps({"success": False, "message": DEAD})),
                                    lambda ex: DEAD in ex.text)),
    Mutant("dead_session_other_message", "session.relogin-signal", "a dead session's message is not 'Yanlış API anahtarı'",
           on_response=error_answer(lambda ex: ex.__setattr__("text", ex.text.replace(DEAD, "Invalid session")),
                                    lambda ex: DEAD in ex.text)),
    Mutant("dead_session_accepted", "session.relogin-signal", "a dead session still answers getactivecall",
           on_response=on("getactivecall", lambda b, ex: New(MyActiveCalls=[]) if b.get("message") == DEAD else None)),
    # ping (facts §2.1)
    Mutant("ping_accepts_any_token", "ping.token-check", "ping answers pong to any token",
           on_response=on("ping", lambda b, ex: New(success=True, message="pong"))),
    # transport (facts §1.7, §1.8, §1.9)
    Mutant("unknown_function_html_404", "transport.json", "an unknown function gets an HTML 404 page",
           on_response=error_answer(lambda ex: (setattr(ex, "status", 404), setattr(ex, "content_type", "text/html"),
                                                setattr(ex, "text", "<html><body><h1>404 Not Found</h1></body></html>")),
                                    lambda ex: "Unknown function" in ex.text)),
    Mutant("errors_as_plain_text", "transport.json", "error bodies are plain text",
           on_response=error_answer(lambda ex: (setattr(ex, "content_type", "text/plain"),
                                                setattr(ex, "text", "ERROR: " + str(ex.body.get("message")))))),
    Mutant("empty_body_on_bad_dates", "transport.json", "a malformed date gets an empty answer",
           on_response=error_answer(lambda ex: setattr(ex, "text", ""), bad_date)),
    Mutant("error_without_message", "transport.errors-json", "error bodies carry `error` instead of `message`",
           on_response=error_answer(lambda ex: ex.__setattr__("text", json.dumps(
               {k if k != "message" else "error": v for k, v in ex.body.items()})),
               lambda ex: "login" not in ex.text)),
    Mutant("server_error_on_bad_dates", "transport.success-http-200", "a malformed date crashes with a 500",
           on_response=error_answer(lambda ex: (setattr(ex, "status", 500), setattr(ex, "content_type", "text/plain"),
                                                setattr(ex, "text", "Internal Server Error")), bad_date)),
    Mutant("server_error_on_include_csat", "transport.success-http-200", "include_csat=true crashes with a 500",
           on_response=lambda ex, state: (setattr(ex, "status", 500), setattr(ex, "text", "{}"))
           if ex.function == "reportsCDRLogs" and ex.params.get("include_csat") == "true" else None),
    # reportsCDRLogs envelope and pages (facts §15.7, §2.5, §9)
    Mutant("cdr_no_cursor_on_last_page", "cdr.envelope", "the last page has no `cursor`",
           on_response=on("reportsCDRLogs", lambda b, ex: b.pop("cursor", None) and None
                          if len(b.get("CallList", [])) < 100 else None)),
    Mutant("cdr_null_cursor_on_last_page", "cdr.envelope", "the last page's cursor is null",
           on_response=on("reportsCDRLogs", lambda b, ex: b.update(cursor=None)
                          if "CallList" in b and len(b["CallList"]) < 100 else None)),
    Mutant("cdr_calllist_renamed", "cdr.envelope", "`CallList` answered as `calllist`",
           on_response=on("reportsCDRLogs", lambda b, ex: rename(b, "CallList", "calllist"))),
    Mutant("cdr_pages_of_101", "cdr.page-size", "full pages carry 101 records",
           on_response=on("reportsCDRLogs", lambda b, ex: b["CallList"].append(dict(b["CallList"][0], callid="x"))
                          if len(b.get("CallList", [])) == 100 else None)),
    Mutant("cdr_pages_of_99", "cdr.end-condition", "full pages are cut to 99: a short page is not the last",
           on_response=on("reportsCDRLogs", lambda b, ex: b["CallList"].pop()
                          if len(b.get("CallList", [])) == 100 else None)),
    Mutant("cdr_last_cursor_repeats", "cdr.end-condition", "the last page's cursor gives the last page again",
           on_request=last_cursor_repeats_request, on_response=last_cursor_repeats_answer),
    Mutant("cdr_cursor_ignored", "cdr.cursor-walk", "the cursor is ignored: every page is the first",
           on_request=param("cursor", lambda v: None)),
    Mutant("cdr_pages_overlap", "cdr.cursor-walk", "each page after the first starts with the last record of the "
           "one before and loses its own last (page sizes unchanged)", on_response=overlapping_pages),
    Mutant("cdr_default_ascending", "cdr.default-order", "without `sorting` the oldest come first",
           on_request=param("sorting", lambda v: v or "asc")),
    Mutant("cdr_asc_ignored", "cdr.default-order", "sorting=asc answers newest first",
           on_request=param("sorting", lambda v: "desc" if v == "asc" else v)),
    Mutant("cdr_window_end_widened", "cdr.window", "records up to a day after finishdate come back",
           on_request=param("finishdate", shift_day)),
    Mutant("cdr_window_start_ignored", "cdr.window", "startdate is ignored",
           on_request=param("startdate", lambda v: "2000-01-01 00:00:00" if v and len(v) == 19 else v)),
    # record fields (facts §2.5, §7)
    Mutant("cdr_record_without_queue", "cdr.record-fields", "records lack `queue`", on_response=on_records(drop("queue"))),
    Mutant("cdr_record_without_answered", "cdr.record-fields", "records lack `answered`",
           on_response=on_records(drop("answered"))),
    Mutant("cdr_duration_as_string", "cdr.record-fields", "`duration` is a string",
           on_response=on_records(lambda r: r.update(duration=str(r["duration"])) if r.get("duration") is not None else None)),
    Mutant("cdr_answered_as_int", "cdr.record-fields", "`answered` is 0/1",
           on_response=on_records(lambda r: r.update(answered=int(r["answered"])) if "answered" in r else None)),
    Mutant("cdr_calldate_iso", "cdr.record-fields", "`calldate` is ISO 8601 with a T",
           on_response=on_records(lambda r: r.update(calldate=r["calldate"].replace(" ", "T")))),
    Mutant("cdr_hangupdate_epoch", "cdr.record-fields", "`hangupdate` is epoch seconds",
           on_response=on_records(lambda r: r.update(hangupdate=1767592672))),
    # activecallkey (facts §2.5, §15.7)
    Mutant("cdr_activecallkey_ignored", "cdr.activecallkey", "activecallkey is ignored",
           on_request=param("activecallkey", lambda v: None)),
    Mutant("cdr_unknown_activecallkey_error", "cdr.activecallkey", "an activecallkey matching nothing gets an error",
           on_response=on("reportsCDRLogs", lambda b, ex: New(success=False, message="Call not found")
                          if ex.params.get("activecallkey") and b.get("CallList") == [] else None)),
    # click2call and the hangup POST (facts §15.6, §3)
    Mutant("click2call_status_body", "click2call.success", "click2call answers {status: queued}",
           on_response=on("click2call", lambda b, ex: New(status="queued") if b.get("success") is True else None)),
    Mutant("hangup_as_json", "hangup.form", "the hangup POST is JSON",
           on_hangup=lambda form: ("application/json", json.dumps(form))),
    Mutant("hangup_without_disposition", "hangup.form", "the hangup POST lacks `disposition`",
           on_hangup=hangup_fields(lambda f: {k: v for k, v in f.items() if k != "disposition"})),
    Mutant("hangup_call_date_iso", "hangup.form", "the hangup POST's call_date is ISO 8601",
           on_hangup=hangup_fields(lambda f: dict(f, call_date=f["call_date"].replace(" ", "T")))),
    Mutant("hangup_extra_field", "hangup.form", "the hangup POST carries a tenth field",
           on_hangup=hangup_fields(lambda f: dict(f, recording="https://example.invalid/r.mp3"))),
    Mutant("hangup_call_id_unknown", "hangup.call-id-finds-cdr", "the hangup POST's call_id finds no record",
           on_hangup=hangup_fields(lambda f: dict(f, call_id=f["call_id"][:-6] + "AAAAAA"))),
]
BY_NAME = {mutant.name: mutant for mutant in CATALOGUE}


def mutant_proxy(upstream: str, mutant: Mutant) -> Flask:
    """The proxy app: forwards to ``upstream``, applying ``mutant`` on the way."""
    app = Flask(f"mutant-{mutant.name}")
    state: dict = {}
    http = requests.Session()

    def own_url() -> str:
        return request.host_url.rstrip("/")

    @app.route("/_mutant/hangup", methods=["POST"])
    def hangup() -> Response:
        target = request.args["to"]
        content_type, body = mutant.on_hangup(request.form.to_dict())
        answer = http.post(target, data=body.encode(), headers={"Content-Type": content_type}, timeout=10)
        return Response(answer.content, status=answer.status_code)

    @app.route("/", defaults={"path": ""}, methods=METHODS)
    @app.route("/<path:path>", methods=METHODS)
    def forward(path: str) -> Response:
        if mutant.latency:
            time.sleep(mutant.latency)  # the deliberately slow front end of a healthy tenant
        if request.method in mutant.undeclared and request.path.rstrip("/") == "/api":
            return Response("<html><body>Method not allowed</body></html>", status=mutant.undeclared[request.method],
                            mimetype="text/html")
        ex = Exchange(request.method, request.path, {k: v for k, v in request.args.items(multi=False)})
        if mutant.on_request:
            mutant.on_request(ex, state)
        if mutant.on_hangup and ex.function == "click2call" and ex.params.get("hangup_url"):
            ex.params["hangup_url"] = f"{own_url()}/_mutant/hangup?" + urlencode({"to": ex.params["hangup_url"]})
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        answer = http.request(request.method, upstream + request.path, params=list(ex.params.items()),
                              data=request.get_data(), headers=headers, timeout=60)
        ex.status, ex.content_type, ex.text = answer.status_code, answer.headers.get("Content-Type", ""), answer.text
        if mutant.on_response:
            mutant.on_response(ex, state)
        return Response(ex.text, status=ex.status, content_type=ex.content_type or None)

    return app


@dataclass
class KitRun:
    mutant: str
    exit_code: int
    seconds: float
    failed_tests: list[str]
    contradicted: list[str]  # claim ids the kit reported contradicted
    requests: int

    def caught(self, mutant: Mutant) -> bool:
        """A broken tenant is caught when the kit fails and names the broken claim; a healthy one passes."""
        if mutant.healthy:
            return self.exit_code == 0
        return self.exit_code == 1 and mutant.claim in self.contradicted


@lru_cache(maxsize=1)
def _kit_tests() -> dict[str, list[str]]:
    return kit_tests()


def kit_selection(mutant: Mutant) -> list[str]:
    """Kit options that run only the kit tests whose ``fidelity`` mark names the mutant's claim: ``-k`` with their
    names, and ``--ignore`` for the kit's modules that hold none of them (not even collected: collecting
    ``test_schema.py`` builds every generated case). None for a healthy mutant: the whole kit must pass it."""
    if mutant.healthy:
        return []
    tests = _kit_tests().get(mutant.claim, [])
    if not tests:
        raise LookupError(f"no kit test names the claim {mutant.claim!r} that {mutant.name} breaks")
    kit = Path(contract_tests.__file__).resolve().parent
    modules = {test.split("::")[0] for test in tests}
    ignored = [f"--ignore={path}" for path in sorted(kit.glob("test_*.py")) if path.stem not in modules]
    return ["-k", " or ".join(sorted({test.split("::")[1] for test in tests})), *ignored]


def run_many(fake: "ProxiedFake", mutants: list[Mutant], workdir: Path, jobs: int = 2, max_examples: int = 10,
             focused: bool = False) -> list[KitRun]:
    """The kit against each mutant, ``jobs`` at a time; each lane logs in as its own agent (one agent has
    one call at a time, and the call flow places calls). ``focused``: each broken mutant meets only the kit
    tests that name its claim (``kit_selection``), not the whole kit."""
    lanes = [mutants[index::jobs] for index in range(jobs)]

    def lane(index: int) -> list[KitRun]:
        email = fake.emails[index % len(fake.emails)]
        return [run_kit(fake.front(m), fake.app_token, email, workdir, m.name, max_examples,
                        tuple(kit_selection(m)) if focused else ()) for m in lanes[index]]

    with ThreadPoolExecutor(jobs) as pool:
        done = {run.mutant: run for runs in pool.map(lane, range(jobs)) for run in runs}
    return [done[m.name] for m in mutants]


def run_kit(url: str, app_token: str, email: str, workdir: Path, name: str, max_examples: int = 10,
            extra: tuple[str, ...] = ()) -> KitRun:
    """The kit as ``ccs-mock check`` runs it (a subprocess in a folder of its own) against ``url``."""
    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    done = check.run_kit(url, app_token, email, folder / "results.json",
                         ["--ccs-max-examples", str(max_examples), *extra])
    seconds = time.perf_counter() - began
    results = folder / "results.json"
    records = json.loads(results.read_text()) if results.exists() else []
    failed = [r["test"] for r in records if r["outcome"] == "failed"]
    contradicted = sorted({c["id"] for r in records for c in r["claims"] if c["outcome"] == "contradicted"})
    sent = next((int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("ccs: ")
                 and " requests sent to " in line), -1)
    run = KitRun(name, done.returncode, seconds, failed, contradicted, sent)
    run.output = done.stdout[-4000:] + done.stderr[-2000:]  # type: ignore[attr-defined]
    return run


class ProxiedFake:
    """One healthy fake and a mutant proxy in front of it per ``front(mutant)``. The fake is ``upstream`` (a
    ``tests.served.Served``: a ``ccs-mock serve`` already running) or, without it, a fake of its own (manual
    clock, in this process, ``create_app(**settings)``)."""

    def __init__(self, upstream: Any = None, **settings: Any):
        self.server: LiveServer | None = None
        if upstream is None:
            from mock_server import create_app

            app = create_app(**settings)
            store = app.extensions["ccs"].store
            tenant = store.default_tenant()["host"]
            self.app_token = store.list_app_tokens(tenant)[0]["token"]
            self.emails = [user["email"] for user in store.list_users(tenant)]
            self.server = LiveServer(app).start()
            self.url = self.server.url
        else:
            self.url, self.app_token, self.emails = upstream.url, upstream.app_token, upstream.agents
        self.email = self.emails[0]
        self._fronts: list[LiveServer] = []
        self._lock = threading.Lock()

    def front(self, mutant: Mutant) -> str:
        server = LiveServer(mutant_proxy(self.url, mutant)).start()
        with self._lock:
            self._fronts.append(server)
        return server.url

    def close(self) -> None:
        for server in self._fronts:
            server.stop()
        if self.server is not None:
            self.server.stop()
