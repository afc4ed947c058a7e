// The demo CRM: what an integrator builds from the vendor's guide, working against the fake.
//  1. login (vendor API) -> session, kept for this tab (the guide: keep it, re-login when `login` is false)
//  2. the softphone SSO page in an iframe on another origin; its postMessage events pop contact cards
//  3. click2call with a hangup_url pointing at this page's sink; the hangup POST and the CDR when a call ends
(function () {
  "use strict";
  var S = window.Sandbox, el = S.el, $ = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(location.search);
  var tenant = null, contacts = [], session = null, email = null;
  var calls = {}, callOrder = [], sinkAfter = 0, relogins = 0;

  // The softphone lives on another origin, as in production: by default the first of the origins the server
  // allows (127.0.0.1 <-> localhost), or ?softphone=ORIGIN when it is one of them. The page sends the live
  // session to that origin, so any other is refused: nothing is loaded and the session never leaves.
  var allowedOrigins = JSON.parse($("softphone-origins").textContent);
  var wantedOrigin = params.get("softphone") || allowedOrigins[0] || "";
  var softphoneOrigin = allowedOrigins.indexOf(originOf(wantedOrigin)) >= 0 ? originOf(wantedOrigin) : null;
  var loadedOrigin = null;  // the origin the softphone frame was given; messages from any other are ignored

  function originOf(text) {
    try {
      var url = new URL(text);
      return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
    } catch (error) {
      return null;
    }
  }

  function refuseSoftphone() {
    $("softphone-refused").textContent = "Refused to load the softphone from " + wantedOrigin + ": it is not one " +
      "of the fake's own origins (" + allowedOrigins.join(", ") + ") nor one named in the setting " +
      "softphone_origins (CCS_MOCK_SOFTPHONE_ORIGINS). Nothing was loaded and the session was not sent.";
    $("softphone-refused").classList.remove("hidden");
  }

  function storageKey() { return "ccs-demo:" + tenant.host; }
  function sinkName() { return "demo-" + tenant.name; }

  function offline() {
    showError("The fake is not answering; is ccs-mock still running?");
  }

  function showError(text) {
    $("signin-error").textContent = text;
    $("signin-error").classList.toggle("hidden", !text);
  }

  function login() {
    email = $("agent").value;
    return S.vendor(tenant.host, { "function": "login", app_token: $("app-token").value, email: email })
      .then(function (answer) {
        if (!answer.login) throw new Error(answer.message || "login failed");
        session = answer.session;
        sessionStorage.setItem(storageKey(), JSON.stringify({ email: email, session: session }));
        openSoftphone();
      })
      .catch(function (error) { showError("Sign-in failed: " + error.message); });
  }

  function openSoftphone() {
    showError("");
    $("signed-in-as").textContent = "Signed in as " + email;
    $("btn-signout").classList.remove("hidden");
    $("btn-inbound").disabled = false;
    renderContacts();
    if (!softphoneOrigin) return refuseSoftphone();
    var query = new URLSearchParams({ tenant: tenant.host, session: session });
    loadedOrigin = softphoneOrigin;
    $("softphone").src = softphoneOrigin + "/generic/sso/?" + query.toString();
    $("softphone-origin").textContent = "Softphone origin: " + softphoneOrigin;
  }

  function signOut() {
    sessionStorage.removeItem(storageKey());
    session = null;
    loadedOrigin = null;
    $("softphone").removeAttribute("src");
    $("signed-in-as").textContent = "";
    $("btn-signout").classList.add("hidden");
    $("btn-inbound").disabled = true;
    renderContacts();
  }

  // A session function; when the answer says `login: false` log in again once and repeat (guide, facts §6.2).
  function withSession(params, retried) {
    params.session = session;
    return S.vendor(tenant.host, params).then(function (answer) {
      if (answer.login === false && !retried) return login().then(function () { return withSession(params, true); });
      return answer;
    });
  }

  function cdrByKey(key) {
    return S.vendor(tenant.host, { "function": "reportsCDRLogs", app_token: $("app-token").value, activecallkey: key })
      .then(function (answer) { return answer.CallList && answer.CallList[0] || null; });
  }

  // -- contact card ---------------------------------------------------------------------------
  function findContact(number) {
    var digits = String(number || "").replace(/\D/g, "");
    return contacts.filter(function (c) { return c.phone.replace(/\D/g, "") === digits; })[0] || null;
  }

  function popCard(message) {
    var masked = message.phoneNumber.indexOf("*") >= 0;
    $("contact-card").classList.remove("muted");
    S.replace($("contact-card"), [el("div", { className: "muted" }, ["Looking up " + message.phoneNumber + "..."])]);
    var number = masked
      ? cdrByKey(message.activecallkey).then(function (record) { return record ? record.callerid : null; })
      : Promise.resolve(message.phoneNumber);
    number.then(function (full) {
      var contact = findContact(full);
      var how = masked ? "number masked; found by activecallkey through reportsCDRLogs" : "found by number";
      S.replace($("contact-card"), [el("div", { className: "contact-card", id: "popped-card",
                                                dataset: { contactId: contact ? contact.id : "" } }, [
        el("h3", {}, ["Incoming call"]),
        el("div", { className: "name" }, [contact ? contact.name : "Unknown caller"]),
        contact ? el("div", {}, [contact.company]) : null,
        el("div", { className: "mono" }, [full || message.phoneNumber]),
        contact ? el("div", { className: "muted" }, [contact.email]) : null,
        el("div", { className: "muted" }, ["Queue " + (message.queue || "-") + " \u00b7 " + how])])]);
    }).catch(offline);
  }

  // -- calls: hangup POSTs and CDRs -------------------------------------------------------------
  function callEntry(key) {
    if (!calls[key]) { calls[key] = { key: key }; callOrder.unshift(key); }
    return calls[key];
  }

  function fetchCdr(entry) {
    cdrByKey(entry.key).then(function (record) {
      if (record && record.hangupdate) { entry.cdr = record; renderCalls(); }
    }).catch(offline);
  }

  function renderCalls() {
    var rows = callOrder.map(function (key) {
      var c = calls[key], post = c.post, cdr = c.cdr;
      return [c.time || "", c.direction || (post ? "outbound" : ""), c.number || (post && post.called_num) || "",
              post ? S.badge(post.disposition) : el("span", { className: "muted" }, [c.direction === "inbound"
                ? "none (inbound)" : "waiting"]),
              post ? post.duration + " s" : "",
              cdr ? el("span", { className: "mono cdr", dataset: { key: key } },
                       [cdr.callid + " \u00b7 " + cdr.hangupcause + " \u00b7 " + (cdr.duration === null ? "-" :
                         cdr.duration + " s") + " \u00b7 " + cdr.agent])
                  : el("span", { className: "muted" }, ["-"])];
    });
    S.replace($("calls"), [S.table(["started", "direction", "number", "hangup POST", "duration", "CDR"], rows)]);
  }

  function pollSink() {
    if (!tenant) return;
    S.control("GET", "sinks/" + encodeURIComponent(sinkName()) + "?after=" + sinkAfter).then(function (data) {
      data.requests.forEach(function (request) {
        sinkAfter = request.id;
        var fields = request.fields, entry = callEntry(fields.call_id);
        entry.post = fields;
        entry.time = entry.time || fields.call_date;
        entry.number = entry.number || fields.called_num;
        fetchCdr(entry);
      });
      if (data.requests.length) renderCalls();
    }).catch(function () {});
  }

  // -- softphone messages -------------------------------------------------------------------------
  window.addEventListener("message", function (event) {
    if (!loadedOrigin || event.origin !== loadedOrigin || event.source !== $("softphone").contentWindow) return;
    if (!event.data || !event.data.messageType) return;
    var m = event.data;
    $("messages").prepend(el("div", { className: "mono" }, [(m.time || "") + "  " + m.messageType +
      (m.phoneNumber ? "  " + m.phoneNumber : "") + (m.reason ? "  " + m.reason : "")]));
    if (m.messageType === "IncomingCall") popCard(m);
    if (m.activecallkey && (m.messageType === "IncomingCall" || m.messageType === "Dial")) {
      var entry = callEntry(m.activecallkey);
      entry.time = m.time; entry.direction = m.direction; entry.number = m.phoneNumber;
      renderCalls();
    }
    if (m.messageType === "Hangup") fetchCdr(callEntry(m.activecallkey));
    if ((m.messageType === "RegistrationFailed" || m.messageType === "Unregistered") && session && relogins < 3) {
      relogins += 1;  // the guide: when the session is dead, log in again
      login();
    }
    if (m.messageType === "Registered") relogins = 0;
  });

  // -- contacts -----------------------------------------------------------------------------------
  function renderContacts() {
    var filter = $("contact-filter").value.toLowerCase();
    var rows = contacts.filter(function (c) {
      return !filter || (c.name + " " + c.company + " " + c.phone).toLowerCase().indexOf(filter) >= 0;
    }).map(function (c) {
      var call = el("button", { className: "small primary", disabled: !session, title: "click2call " + c.phone,
                                dataset: { phone: c.phone } }, ["Call"]);
      call.onclick = function () { clickToCall(c); };
      return [el("div", {}, [el("strong", {}, [c.name]), el("div", { className: "muted" }, [c.company])]),
              el("span", { className: "mono" }, [c.phone]), call];
    });
    S.replace($("contacts"), [el("div", { className: "scroll" }, [S.table(["contact", "phone", ""], rows)])]);
  }

  function clickToCall(contact) {
    withSession({ "function": "click2call", phonenumber: contact.phone, transactionid: "crm-" + contact.id + "-" +
                  Date.now(), hangup_url: location.origin + "/_mock/sink/" + encodeURIComponent(sinkName()) })
      .then(function (answer) { if (answer.success === false) showError("click2call: " + answer.message); })
      .catch(offline);
  }

  function ringMe() {
    var body = { tenant: tenant.host, caller: $("inbound-caller").value, agent: email,
                 ending: $("inbound-ending").value, ivr_seconds: 0, ring_seconds: 30 };
    S.control("POST", "calls/inbound", body).catch(function (error) { showError(error.message); });
  }

  // -- start ----------------------------------------------------------------------------------------
  S.control("GET", "tenants").then(function (data) {
    var wanted = params.get("tenant");
    tenant = data.tenants.filter(function (t) { return wanted ? t.host === wanted || t.name === wanted : t.default; })[0]
      || data.tenants[0];
    $("tenant-host").textContent = tenant.host + (tenant.masked_numbers ? " (numbers masked)" : "");
    var token = tenant.app_tokens.filter(function (t) { return !t.revoked; })[0];
    $("app-token").value = token ? token.app_token : "";
    S.replace($("agent"), tenant.users.map(function (u) { return el("option", { value: u.email }, [u.name + " <" + u.email + ">"]); }));
    return S.control("GET", "contacts?tenant=" + encodeURIComponent(tenant.host));
  }).then(function (data) {
    contacts = data.contacts;
    S.replace($("inbound-caller"), contacts.map(function (c) { return el("option", { value: c.phone }, [c.name + " " + c.phone]); }));
    var stored = JSON.parse(sessionStorage.getItem(storageKey()) || "null");
    if (stored) { email = stored.email; session = stored.session; $("agent").value = email; openSoftphone(); }
    renderContacts();
    renderCalls();
    setInterval(pollSink, 1000);
  }).catch(offline);

  if (!softphoneOrigin) refuseSoftphone();
  $("btn-signin").onclick = login;
  $("btn-signout").onclick = signOut;
  $("btn-inbound").onclick = ringMe;
  $("contact-filter").oninput = renderContacts;
})();
