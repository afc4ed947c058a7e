// Helpers shared by the demo CRM page and the dashboard: DOM building and the fake's two APIs.
(function () {
  "use strict";

  // el("td", {className: "x", onclick: f}, ["text", child]) - text is always set as text, never as HTML.
  function el(tag, props, children) {
    var node = document.createElement(tag);
    for (var key in props || {}) {
      if (key === "dataset") for (var d in props.dataset) node.dataset[d] = props.dataset[d];
      else if (key.indexOf("aria-") === 0) node.setAttribute(key, props[key]);
      else node[key] = props[key];
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  function replace(node, children) {
    while (node.firstChild) node.removeChild(node.firstChild);
    children.forEach(function (child) { node.appendChild(child); });
  }

  // The vendor API, on the given tenant (X-CCS-Mock-Tenant: browsers cannot set Host).
  function vendor(tenantHost, params) {
    var query = new URLSearchParams(params).toString();
    return fetch("/api/?" + query, { headers: { "X-CCS-Mock-Tenant": tenantHost } }).then(function (r) {
      return r.json();
    });
  }

  // The control API's token (when the fake serves beyond loopback): from the link's #token= once (a fragment
  // never reaches the server or its log), then this tab's storage; the address bar forgets it at once.
  var token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) {
    sessionStorage.setItem("ccs-mock-token", token);
    history.replaceState(null, "", location.pathname + location.search);
  }
  token = sessionStorage.getItem("ccs-mock-token");

  // The control API under /_mock/.
  function control(method, path, body) {
    var init = { method: method, headers: token ? { "Authorization": "Bearer " + token } : {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch("/_mock/" + path, init).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.message || ("HTTP " + r.status));
        return data;
      });
    });
  }

  function table(headers, rows) {
    return el("div", { className: "table-wrap" }, [el("table", {}, [
      el("thead", {}, [el("tr", {}, headers.map(function (h) { return el("th", {}, [h]); }))]),
      el("tbody", {}, rows.map(function (cells) {
        return el("tr", {}, cells.map(function (c) { return el("td", {}, [c]); }));
      }))])]);
  }

  function badge(text) {
    return el("span", { className: "badge " + text }, [text]);
  }

  window.Sandbox = { el: el, replace: replace, vendor: vendor, control: control, table: table, badge: badge };
})();
