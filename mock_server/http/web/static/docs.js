// Interactive docs rendered from the bundled OpenAPI documents (served as JSON by the fake itself).
// Each operation shows its fidelity, parameters and answers, and can be tried against this fake.
(function () {
  "use strict";
  var S = window.Sandbox, el = S.el, $ = function (id) { return document.getElementById(id); };
  var spec = null, tenants = [];

  function resolve(node) {  // local $ref only, as the bundled documents use
    if (node && node.$ref && node.$ref.indexOf("#/") === 0) {
      return resolve(node.$ref.slice(2).split("/").reduce(function (at, key) { return at[key.replace(/~1/g, "/")]; }, spec));
    }
    return node;
  }

  function fidelity(tag) {
    if (!tag) return null;
    return el("span", { className: "badge " + (tag.level === "confirmed" ? "available" : tag.level === "assumed" ? "pending" : "talking"),
                        title: tag.source || "" }, [tag.level]);
  }

  function schemaText(schema) {
    return JSON.stringify(schema, function (key, value) { return key === "x-fidelity" ? undefined : value; }, 2);
  }

  function tryIt(path, method, operation) {
    var params = (operation.parameters || []).map(resolve);
    var inputs = {};
    var fields = params.filter(function (p) { return p.in === "query" || p.in === "path"; }).map(function (p) {
      var fixed = p.schema && p.schema.const;
      inputs[p.name] = el("input", { className: "mono", value: fixed || "", placeholder: p.required ? "required" : "",
                                     readOnly: !!fixed, "aria-label": p.name });
      return el("label", {}, [p.name + (p.required ? " *" : ""), inputs[p.name]]);
    });
    var content = operation.requestBody ? operation.requestBody.content || {} : {};
    var form = !!content["application/x-www-form-urlencoded"];  // the vendor's POSTs: fields as a form, typed as JSON here
    var body = operation.requestBody ? el("textarea", { className: "mono", rows: 4, value: "{}",
                                                        "aria-label": form ? "form fields (JSON)" : "JSON body" }) : null;
    var out = el("pre", { className: "mono log hidden" }, []);
    var send = el("button", { className: "primary small" }, ["Send to this fake"]);
    send.onclick = function () {
      var query = new URLSearchParams(), url = path.split("?")[0];
      var fixedQuery = path.indexOf("?") >= 0 ? new URLSearchParams(path.split("?")[1]) : new URLSearchParams();
      fixedQuery.forEach(function (v, k) { query.set(k, v); });
      params.forEach(function (p) {
        var value = inputs[p.name] ? inputs[p.name].value : "";
        if (!value) return;
        if (p.in === "path") url = url.replace("{" + p.name + "}", encodeURIComponent(value));
        else query.set(p.name, value);
      });
      var init = { method: method.toUpperCase(), headers: { "X-CCS-Mock-Tenant": $("tenant").value } };
      var token = sessionStorage.getItem("ccs-mock-token");
      if (token) init.headers.Authorization = "Bearer " + token;
      if (body && form) init.body = new URLSearchParams(JSON.parse(body.value || "{}"));
      else if (body) { init.headers["Content-Type"] = "application/json"; init.body = body.value; }
      fetch(url + (query.toString() ? "?" + query.toString() : ""), init).then(function (r) {
        return r.text().then(function (text) {
          try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
          out.textContent = "HTTP " + r.status + "\n" + text;
          out.classList.remove("hidden");
        });
      });
    };
    return el("div", { className: "stack" }, [el("div", { className: "row" }, fields), body,
                                              el("div", { className: "row" }, [send]), out]);
  }

  function operationCard(path, method, operation) {
    var params = (operation.parameters || []).map(resolve);
    var rows = params.map(function (p) {
      return [el("code", {}, [p.name]), p.in, p.required ? "yes" : "", el("span", { className: "mono" },
              [schemaText(resolve(p.schema) || {}).replace(/\s+/g, " ").slice(0, 120)]), p.description || ""];
    });
    var responses = Object.keys(operation.responses || {}).map(function (code) {
      var answer = resolve(operation.responses[code]);
      return el("div", {}, [el("strong", {}, [code + " "]), answer.description || ""]);
    });
    var interactive = method === "get" || method === "post" || method === "put" || method === "delete";
    return el("details", { className: "card", id: "op-" + operation.operationId }, [
      el("summary", {}, [el("strong", { className: "mono" }, [method.toUpperCase() + " " + path]), "  ",
                         operation.summary || "", " ", fidelity(operation["x-fidelity"])]),
      el("p", {}, [operation.description || ""]),
      rows.length ? S.table(["parameter", "in", "required", "schema", "description"], rows) : null,
      el("h3", {}, ["Answers"]), el("div", { className: "stack" }, responses),
      spec.info.title.indexOf("softphone") < 0 && interactive ? el("h3", {}, ["Try it"]) : null,
      spec.info.title.indexOf("softphone") < 0 && interactive ? tryIt(path, method, operation) : null]);
  }

  function render(name) {
    $("raw").href = "/_mock/openapi/" + name + ".yaml";
    S.control("GET", "openapi/" + name + ".json").then(function (document) {
      spec = document;
      S.replace($("intro"), [el("h2", {}, [spec.info.title]), el("p", { className: "muted" }, [spec.info.summary || ""]),
                             el("pre", { className: "mono log" }, [spec.info.description || ""])]);
      var cards = [];
      Object.keys(spec.paths || {}).forEach(function (path) {
        Object.keys(spec.paths[path]).forEach(function (method) {
          if (method !== "parameters") cards.push(operationCard(path, method, spec.paths[path][method]));
        });
      });
      S.replace($("operations"), cards);
      var schemas = (spec.components || {}).schemas || {};
      S.replace($("schemas"), [el("h2", {}, ["Schemas"])].concat(Object.keys(schemas).map(function (key) {
        return el("details", { id: "schema-" + key }, [el("summary", {}, [el("code", {}, [key]), " ",
                  fidelity(schemas[key]["x-fidelity"])]), el("pre", { className: "mono log" }, [schemaText(schemas[key])])]);
      })));
    });
  }

  $("document").onchange = function () { render($("document").value); };
  S.control("GET", "tenants").then(function (data) {
    tenants = data.tenants;
    S.replace($("tenant"), tenants.map(function (t) { return el("option", { value: t.host }, [t.host]); }));
    $("document").value = new URLSearchParams(location.search).get("doc") || "ccs";
    render($("document").value);
  });
})();
