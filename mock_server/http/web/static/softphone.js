// The fake generic softphone: renders the agent's call, follows the server's event stream and posts every
// message to the embedding page (window.parent.postMessage). Protocol: openapi/softphone.yaml.
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("state").textContent);
  var params = new URLSearchParams(location.search);
  var embedded = window.parent !== window;

  function post(message) {
    if (embedded) window.parent.postMessage(message, "*");
  }

  if (!state) {
    var reason = document.getElementById("signin-reason").getAttribute("data-reason");
    post({ messageType: "RegistrationFailed", reason: reason });
    document.getElementById("signin-form").addEventListener("submit", function (event) {
      event.preventDefault();
      document.getElementById("signin-reason").textContent =
        "Password sign-in is not simulated: the CRM must log in again and reload this page with the new session.";
    });
    return;
  }

  var tenant = params.get("tenant") || "";
  var session = params.get("session") || "";
  var call = state.call;
  var clock = state.clock;
  var signedOut = false;
  var $ = function (id) { return document.getElementById(id); };

  function seconds(text) {  // "YYYY-MM-DD HH:MM:SS" -> seconds (the same zone on both sides)
    var m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text || "");
    return m ? Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 : null;
  }

  function timerText() {
    if (!call || !call.answeredAt) return "00:00";
    var s = Math.max(0, seconds(clock) - seconds(call.answeredAt));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
    return h ? h + ":" + mm : mm;
  }

  function render() {
    var status = call ? call.status : state.availability;
    $("status-badge").textContent = status;
    $("status-badge").className = "badge " + status;
    $("availability").value = state.availability;
    $("availability").disabled = !!call && call.status !== "dialing";
    $("call-direction").textContent = call ? (call.direction === "inbound" ? "Incoming call" : "Outgoing call") : "Ready";
    $("call-number").textContent = call ? call.phoneNumber : "\u00a0";
    $("call-status").textContent = call ? call.status : "idle";
    $("call-status").className = "badge " + (call ? call.status : "");
    $("call-queue").textContent = call && call.queue ? call.queue : "";
    $("call-timer").textContent = timerText();
    var ringingIn = !!call && call.direction === "inbound" && call.status === "ringing";
    var connected = !!call && (call.status === "talking" || call.status === "hold");
    $("btn-answer").disabled = !ringingIn;
    $("btn-reject").disabled = !ringingIn;
    $("btn-hangup").disabled = !call || ringingIn;
    $("btn-hold").disabled = !connected;
    $("btn-hold").textContent = call && call.status === "hold" ? "Unhold" : "Hold";
    $("btn-mute").disabled = !connected;
    $("btn-mute").textContent = call && call.muted ? "Unmute" : "Mute";
    $("btn-mute").setAttribute("aria-pressed", call && call.muted ? "true" : "false");
    $("btn-dial").disabled = !!call;
    $("clock").textContent = clock;
    if (signedOut) {
      Array.prototype.forEach.call(document.querySelectorAll("button, select, input"), function (el) {
        el.disabled = true;
      });
      $("status-badge").textContent = "signed out";
      $("status-badge").className = "badge failed";
    }
  }

  function note(text, isError) {
    $("note").textContent = text || "";
    $("note").style.color = isError ? "var(--bad)" : "";
  }

  function apply(m) {
    if (m.time) clock = m.time;
    switch (m.messageType) {
      case "IncomingCall":
      case "Dial":
        call = { activecallkey: m.activecallkey, phoneNumber: m.phoneNumber, direction: m.direction, queue: m.queue,
                 status: m.status, answeredAt: null, muted: false };
        note(m.messageType === "IncomingCall" ? "Incoming call" : "Dialling " + m.phoneNumber);
        break;
      case "Ringing": case "Hold": case "Talking":
        if (call) call.status = m.status;
        break;
      case "Accept":
        if (call) { call.status = "talking"; call.answeredAt = m.time; }
        note("Connected");
        break;
      case "Mute":
        if (call) call.muted = m.muted;
        break;
      case "Hangup":
        call = null;
        state.availability = m.status;
        note("Call ended: " + m.disposition + (m.duration ? " after " + m.duration + " s" : ""));
        break;
      case "AgentStatus":
        if (m.message === "Status could not be changed") note(m.message, true);
        else state.availability = m.status;
        break;
      case "Unregistered":
        signedOut = true;
        call = null;
        note(m.reason, true);
        break;
    }
    render();
  }

  function act(name, extra) {
    var body = { tenant: tenant, session: session };
    for (var k in extra) body[k] = extra[k];
    return fetch("actions/" + name, { method: "POST", headers: { "Content-Type": "application/json" },
                                     body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer.success === false || answer.login === false) note(answer.message || "Refused", true);
        return answer;
      })
      .catch(function (error) { note("The softphone lost its server: " + error, true); });
  }

  $("btn-answer").onclick = function () { act("answer"); };
  $("btn-reject").onclick = function () { act("reject"); };
  $("btn-hangup").onclick = function () { act("hangup"); };
  $("btn-hold").onclick = function () { act(call && call.status === "hold" ? "unhold" : "hold"); };
  $("btn-mute").onclick = function () { act("mute"); };
  $("btn-back").onclick = function () { var i = $("dial-number"); i.value = i.value.slice(0, -1); };
  $("btn-dial").onclick = function () {
    var number = $("dial-number").value.trim();
    if (!number) { note("Type a number first", true); return; }
    act("dial", { number: number });
  };
  $("dial-number").addEventListener("keydown", function (e) { if (e.key === "Enter") $("btn-dial").click(); });
  Array.prototype.forEach.call(document.querySelectorAll("[data-key]"), function (b) {
    b.onclick = function () { $("dial-number").value += b.getAttribute("data-key"); };
  });
  $("availability").onchange = function () { act("status", { status: $("availability").value }); };

  var query = new URLSearchParams({ tenant: tenant, session: session, after: String(state.lastEventId) });
  var source = new EventSource("events?" + query.toString());
  var registered = false;
  source.onopen = function () {
    if (registered) return;
    registered = true;
    post({ messageType: "Registered", time: clock, agent: state.agent.email, tenant: state.tenant,
           status: call ? call.status : state.availability });
  };
  source.onmessage = function (e) {
    var m = JSON.parse(e.data);
    apply(m);
    post(m);
    if (m.messageType === "Unregistered") source.close();
  };
  source.onerror = function () {
    // A refused stream (204: the session died before the stream opened) closes it for good.
    if (source.readyState !== EventSource.CLOSED || signedOut) return;
    var m = { messageType: "Unregistered", time: clock, agent: state.agent.email,
              reason: "Session ended: the event stream was refused" };
    apply(m);
    post(m);
  };
  source.addEventListener("clock", function (e) { clock = JSON.parse(e.data); render(); });
  render();
})();
