// The sandbox dashboard: the fake's state at a glance and buttons for the control API.
(function () {
  "use strict";
  var S = window.Sandbox, el = S.el, $ = function (id) { return document.getElementById(id); };
  var tenants = [], tenant = null, contacts = [];
  var cdr = { cursor: null, page: 0, query: null };

  function toast(text, isError) {
    $("toast").textContent = text;
    $("toast").className = "notice wide" + (isError ? " error" : "");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { $("toast").className = "notice hidden wide"; }, 4000);
  }

  function act(method, path, body, done) {
    return S.control(method, path, body).then(function (data) { if (done) toast(done(data)); refresh(); return data; })
      .catch(function (error) { toast(error.message, true); });
  }

  function options(select, items, label, withAny) {
    var list = (withAny ? [el("option", { value: "" }, [withAny])] : []).concat(items.map(function (item) {
      return el("option", { value: item.value }, [label(item)]);
    }));
    S.replace(select, list);
  }

  function chooseTenant(host) {
    tenant = tenants.filter(function (t) { return t.host === host; })[0] || tenants[0];
    $("tenant").value = tenant.host;
    var token = tenant.app_tokens.filter(function (t) { return !t.revoked; })[0];
    var demo = el("a", { className: "btn primary", href: "/_mock/demo?tenant=" + encodeURIComponent(tenant.host) },
                  ["Open the demo CRM"]);
    S.replace($("tenant-info"), [el("div", { className: "stack" }, [
      el("div", {}, [el("strong", {}, [tenant.host]), tenant.default ? " (default: 127.0.0.1 and localhost)" : ""]),
      el("div", { className: "muted" }, ["Number " + tenant.did + (tenant.masked_numbers ? " \u00b7 numbers masked" : "")]),
      el("label", {}, ["App token", el("input", { className: "mono", readOnly: true, value: token ? token.app_token : "" })]),
      el("div", {}, [el("h3", {}, ["Agents"]), el("div", {}, [tenant.users.map(function (u) { return u.email; }).join(", ")])]),
      el("div", {}, [el("h3", {}, ["Queues"]), el("div", {}, [tenant.queues.map(function (q) { return q.name; }).join(", ")])]),
      el("div", { className: "row" }, [demo])])]);
    var agents = tenant.users.map(function (u) { return { value: u.email, name: u.name }; });
    options($("in-agent"), agents, function (a) { return a.name; }, "first available");
    options($("next-agent"), agents, function (a) { return a.name; }, "anyone");
    options($("in-queue"), tenant.queues.map(function (q) { return { value: q.key, name: q.name }; }),
            function (q) { return q.name; });
    S.control("GET", "contacts?tenant=" + encodeURIComponent(tenant.host)).then(function (data) {
      contacts = data.contacts;
      options($("in-caller"), contacts.map(function (c) { return { value: c.phone, name: c.name }; }),
              function (c) { return c.name + " " + c.value; });
    }).catch(offline);
    cdr = { cursor: null, page: 0, query: null };
    S.replace($("cdrs"), []);
    $("cdr-page").textContent = "";
    $("btn-cdr-next").disabled = true;
    refresh();
  }

  function offline() {
    toast("The fake is not answering; is ccs-mock still running?", true);
  }

  function refresh() {
    if (!tenant) return;
    var q = "?tenant=" + encodeURIComponent(tenant.host);
    S.control("GET", "clock").then(function (clock) {
      $("clock").textContent = clock.now;
      $("clock-mode").textContent = clock.mode + (clock.mode === "system" && clock.speed !== 1 ? " x" + clock.speed : "");
      if (!$("cdr-start").value) {  // the last seven days
        var week = new Date(Date.parse(clock.now.slice(0, 10) + "T00:00:00Z") - 7 * 86400000);
        $("cdr-start").value = week.toISOString().slice(0, 10) + " 00:00:00";
        $("cdr-finish").value = clock.now.slice(0, 10) + " 23:59:59";
      }
    }).catch(offline);
    S.control("GET", "sessions" + q).then(function (data) {
      S.replace($("sessions"), [S.table(["agent", "created", "expires", "expires in", ""],
        data.sessions.map(function (s) {
          var button = el("button", { className: "small danger", dataset: { session: s.id } }, ["Expire"]);
          button.onclick = function () {
            act("POST", "sessions/expire", { tenant: tenant.host, id: s.id }, function (r) { return "Expired " + r.expired; });
          };
          return [s.email, s.created_at, s.expires_at, Math.round(s.expires_in_seconds / 60) + " min", button];
        }))]);
    }).catch(offline);
    S.control("GET", "calls" + q).then(function (data) {
      S.replace($("calls"), [S.table(["activecallkey", "agent", "direction", "customer", "status", "queue", "started"],
        data.calls.map(function (c) {
          return [el("span", { className: "mono" }, [c.key.slice(0, 16) + "\u2026"]), c.agent || "-",
                  c.inbound ? "inbound" : "outbound", c.inbound ? c.callerid : c.called_num, S.badge(c.status),
                  c.queue || "-", c.calldate];
        }))]);
    }).catch(offline);
    S.control("GET", "deliveries" + q + "&limit=50").then(function (data) {
      S.replace($("deliveries"), [S.table(["created", "kind", "method", "url", "status", "attempts", "last answer"],
        data.deliveries.slice().reverse().map(function (d) {
          var last = d.attempt_log[d.attempt_log.length - 1];
          return [d.created_at, d.kind, d.method, el("span", { className: "mono" }, [d.url.slice(0, 60)]),
                  S.badge(d.status), d.attempts, last ? (last.status_code || last.error || "") : ""];
        }))]);
    }).catch(offline);
  }

  // -- the CDR browser: reportsCDRLogs pages of 100, each next page with the cursor of the previous answer ----
  function loadCdrs(next) {
    var token = tenant.app_tokens.filter(function (t) { return !t.revoked; })[0];
    if (!next) {
      cdr = { cursor: null, page: 0, query: { "function": "reportsCDRLogs", app_token: token ? token.app_token : "",
              startdate: $("cdr-start").value, finishdate: $("cdr-finish").value, sorting: $("cdr-sorting").value } };
    }
    var params = Object.assign({}, cdr.query);
    if (next) params.cursor = cdr.cursor;
    S.vendor(tenant.host, params).then(function (answer) {
      if (!answer.CallList) {
        $("cdr-error").textContent = answer.message || "No answer";
        $("cdr-error").classList.remove("hidden");
        return;
      }
      $("cdr-error").classList.add("hidden");
      cdr.cursor = answer.cursor;
      cdr.page += 1;
      $("cdr-page").textContent = "page " + cdr.page + ": " + answer.CallList.length + " records" +
        (answer.CallList.length < 100 ? " (the last page)" : "");
      $("btn-cdr-next").disabled = answer.CallList.length < 100;
      S.replace($("cdrs"), [S.table(["calldate", "direction", "caller", "called", "queue", "agent", "duration", "hangupcause"],
        answer.CallList.map(function (r) {
          return [el("span", { className: "mono" }, [r.calldate]), r.inbound ? "inbound" : "outbound", r.callerid,
                  r.called_num, r.queue || "-", r.agent || "-", r.duration === null ? "-" : r.duration + " s",
                  S.badge(r.hangupcause)];
        }))]);
    }).catch(offline);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-advance]"), function (button) {
    button.onclick = function () {
      act("POST", "clock", { advance_seconds: +button.getAttribute("data-advance") },
          function (c) { return "Clock now " + c.now; });
    };
  });
  $("btn-reset").onclick = function () { act("POST", "reset", {}, function () { return "Reset to the seeded state"; }); };
  $("tenant").onchange = function () { chooseTenant($("tenant").value); };
  $("btn-cdr").onclick = function () { loadCdrs(false); };
  $("btn-cdr-next").onclick = function () { loadCdrs(true); };
  $("btn-inbound").onclick = function () {
    var body = { tenant: tenant.host, caller: $("in-caller").value, queue: $("in-queue").value,
                 ending: $("in-ending").value, ivr_seconds: +$("in-ivr").value, ring_seconds: +$("in-ring").value,
                 talk_seconds: +$("in-talk").value };
    if ($("in-agent").value) body.agent = $("in-agent").value;
    act("POST", "calls/inbound", body, function (r) { return "Inbound call started: " + r.activecallkey.slice(0, 16) + "\u2026"; });
  };
  $("btn-next").onclick = function () {
    var body = { tenant: tenant.host, disposition: $("next-disposition").value, ring_seconds: +$("next-ring").value,
                 talk_seconds: +$("next-talk").value };
    if ($("next-agent").value) body.agent = $("next-agent").value;
    act("POST", "calls/next", body, function (r) { return "Next call of " + (r.agent || "anyone") + ": " + r.disposition; });
  };

  S.control("GET", "tenants").then(function (data) {
    tenants = data.tenants;
    options($("tenant"), tenants.map(function (t) { return { value: t.host }; }), function (t) { return t.value; });
    chooseTenant((tenants.filter(function (t) { return t.default; })[0] || tenants[0]).host);
    setInterval(refresh, 1000);
  }).catch(offline);
})();
