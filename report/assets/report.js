// The run report's renderer: reads the run from #report-data and draws every section. It builds the DOM
// with textContent only, so nothing from the run (a server's answer, an error) is ever parsed as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var STATUSES = data.statuses; // the outcomes, in the order a reader must look at them
  var KEYWORD = { Context: "Given", Action: "When", Outcome: "Then" };

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) continue;
        if (k === "text") el.textContent = attrs[k];
        else if (k === "onclick") el.addEventListener("click", attrs[k]);
        else el.setAttribute(k, attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }
  function add(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
    el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  function byId(id) { return document.getElementById(id); }
  function label(axes, id) {
    for (var i = 0; i < axes.length; i++) if (axes[i].id === id) return axes[i].label;
    return id;
  }
  function clauseName(id) {
    var m = /^rfc(\d+)-([\d.]+)$/.exec(id);
    return m ? "RFC " + m[1] + " §" + m[2] : "RingCentral §" + id.replace(/^rc-/, "");
  }
  function worst(counts) {
    for (var i = 0; i < STATUSES.length; i++) if (counts[STATUSES[i]]) return STATUSES[i];
    return "";
  }
  function total(counts) {
    var n = 0;
    for (var k in counts) n += counts[k];
    return n;
  }
  function badge(status) { return h("span", { "class": "badge " + status, text: status }); }
  function short(fp) { return (fp || "").replace(/^\[redacted:/, "").replace(/\]$/, ""); }

  // Run metadata.
  function renderMeta() {
    var r = data.run, dl = byId("meta");
    var rows = [["profile", r.profile], ["target", r.target + " (" + r.kind + ")"],
      ["dialect", r.dialect || "unknown"], ["seed", r.seed],
      ["tags", r.tag_limited ? r.tags + " (a selection, not the whole suite)" : "all scenarios"], ["commit", r.commit || "unknown"],
      ["started", r.started], ["duration", r.duration], ["concurrency", String(r.concurrency)],
      ["strict", r.strict ? "yes: a failed SHOULD fails the run" : "no: a failed SHOULD warns"]];
    rows.forEach(function (kv) { dl.appendChild(h("div", null, h("dt", { text: kv[0] }), h("dd", { text: kv[1] }))); });
  }

  // Summary: counts, then the notes a reader must see.
  function renderSummary() {
    var s = data.summary, body = byId("summary-body");
    var cards = h("div", { "class": "cards" });
    STATUSES.slice().reverse().forEach(function (st) {
      cards.appendChild(h("div", { "class": "card " + st, "data-status": st, title: "list the " + st + " scenarios",
        onclick: function () { setFilters({ status: st }); } }, h("b", { text: String(s.counts[st] || 0) }), st));
    });
    cards.appendChild(h("div", { "class": "card" }, h("b", { text: String((s.flaky || []).length) }), "flaky"));
    cards.appendChild(h("div", { "class": "card" }, h("b", { text: String(s.total) }), "scenarios"));
    body.appendChild(cards);
    noteList(body, "SHOULD-level warnings", s.warnings, "no SHOULD-level warnings", function (n) {
      return [h("b", { text: (n.clauses || []).map(clauseName).join(", ") || "SHOULD" }), " — ", n.scenario + ": " + n.message];
    });
    noteList(body, "Deviations from what the mock assumes", s.deviations, "no deviations recorded", function (n) {
      return [h("b", { text: n.scenario + (n.example ? " [" + n.example + "]" : "") }), ": " + n.message];
    });
    noteList(body, "Known failures (the baseline expects them)", s.known, "no known failures", function (n) {
      return [h("b", { text: n.scenario + (n.example ? " [" + n.example + "]" : "") }), ": " + n.message + (n.baseline ? " — baseline: " + n.baseline : "")];
    });
    noteList(body, "Flaky", s.flaky, "no flaky scenarios", function (n) { return [h("b", { text: n.scenario }), ": " + n.message]; });
    noteList(body, "Skipped, by reason", s.skips, "no skipped scenarios", function (g) {
      return [h("b", { text: g.scenarios.length + " × " }), g.reason, h("div", { "class": "muted", text: g.scenarios.slice(0, 8).join("; ") + (g.scenarios.length > 8 ? "; …" : "") })];
    });
  }
  function noteList(parent, title, items, none, render) {
    parent.appendChild(h("h3", { text: title }));
    if (!items || !items.length) { parent.appendChild(h("p", { "class": "muted", text: none })); return; }
    var ul = h("ul", { "class": "notes" });
    items.forEach(function (it) { ul.appendChild(h("li", null, render(it))); });
    parent.appendChild(ul);
  }

  // The conformance matrix: grants that have scenarios × areas that have scenarios.
  function renderMatrix() {
    var body = byId("matrix-body");
    if (!data.matrix || !data.matrix.length) { body.appendChild(h("p", { "class": "muted", text: "no scenario ran" })); return; }
    var cells = {}, grants = {}, areas = {};
    data.matrix.forEach(function (c) { cells[c.grant + "|" + c.area] = c; grants[c.grant] = true; areas[c.area] = true; });
    var cols = data.areas.filter(function (a) { return areas[a.id]; });
    var head = h("tr", null, h("th", { text: "grant \\ area" }), cols.map(function (a) { return h("th", { text: a.label }); }));
    var rows = data.grants.filter(function (g) { return grants[g.id]; }).map(function (g) {
      return h("tr", null, h("th", { "class": "row", text: g.label }), cols.map(function (a) {
        var c = cells[g.id + "|" + a.id];
        if (!c) return h("td", { "class": "empty", text: "·" });
        var w = worst(c.counts), n = total(c.counts);
        var text = w === "passed" ? String(n) : (c.counts[w] || 0) + " " + w + " / " + n;
        return h("td", { "class": "c " + w + "-cell", "data-grant": g.id, "data-area": a.id,
          title: g.label + " × " + a.label + ": " + JSON.stringify(c.counts),
          onclick: function () { setFilters({ grant: g.id, area: a.id }); } }, text);
      }));
    });
    body.appendChild(h("table", { "class": "matrix", id: "matrix-table" }, h("thead", null, head), h("tbody", null, rows)));
  }

  // The clause matrix, then the clauses no scenario of the run checks.
  function renderClauses() {
    var body = byId("clauses-body");
    var checked = data.clauses.filter(function (c) { return c.scenarios && c.scenarios.length; });
    var unchecked = data.clauses.filter(function (c) { return !c.scenarios || !c.scenarios.length; });
    var head = h("tr", null, ["clause", "requirement", "checklist"].concat(STATUSES).map(function (t) { return h("th", { text: t }); }));
    var rows = checked.map(function (c) {
      return h("tr", null,
        h("th", { "class": "row" }, c.link ? h("a", { href: c.link, text: clauseName(c.id) }) : clauseName(c.id)),
        h("td", { text: c.title }), h("td", { text: c.checklist || "" }),
        STATUSES.map(function (st) {
          var n = c.counts[st] || 0;
          if (!n) return h("td", { "class": "empty", text: "·" });
          return h("td", { "class": "c " + st + "-cell", "data-clause": c.id,
            onclick: function () { setFilters({ clause: c.id, status: st }); } }, String(n));
        }));
    });
    body.appendChild(h("table", { "class": "matrix clauses" }, h("thead", null, head), h("tbody", null, rows)));
    if (!unchecked.length) { body.appendChild(h("p", { "class": "muted", text: "Every clause is checked by a scenario of this run." })); return; }
    var ul = h("ul", { "class": "notes", id: "unchecked" });
    unchecked.forEach(function (c) {
      ul.appendChild(h("li", null, c.link ? h("a", { href: c.link, text: clauseName(c.id) }) : clauseName(c.id), " — " + c.title + (c.checklist ? " (" + c.checklist + ")" : "")));
    });
    // A short list is open; the long one of a run that selected a few scenarios is one click away.
    body.appendChild(h("details", { "class": "unchecked", open: unchecked.length <= 20 ? "" : null },
      h("summary", { text: "Not checked by any scenario of this run (" + unchecked.length + ")" }), ul));
  }

  // Baseline, drift and history: shown when the real-target path has written them.
  function renderExtras() {
    var body = byId("extras-body");
    body.appendChild(h("h3", { text: "Known-deviation baseline" }));
    if (!data.baseline || !data.baseline.entries || !data.baseline.entries.length) {
      body.appendChild(h("p", { "class": "muted", text: "no baseline for profile " + data.run.profile + " (baselines/" + data.run.profile + ".json)" }));
    } else {
      table(body, ["scenario", "expected", "this run", "reason", "recorded"], data.baseline.entries.map(function (e) {
        return [e.scenario + (e.example ? " [" + e.example + "]" : ""), e.outcome, e.state,
          e.link ? [e.reason + " ", h("a", { href: e.link, text: "link" })] : e.reason, e.recorded || ""];
      }));
    }
    body.appendChild(h("h3", { text: "Drift between the mock and RingCentral" }));
    if (!data.drift || !data.drift.differences || !data.drift.differences.length) {
      body.appendChild(h("p", { "class": "muted", text: "no drift recorded (reports/drift.json)" }));
    } else {
      body.appendChild(h("p", { text: "Mock " + data.drift.mock.profile + " vs " + data.drift.real.profile + " (" + data.drift.real.target + ")" }));
      table(body, ["scenario", "field", "mock", "RingCentral", "known"], data.drift.differences.map(function (d) {
        return [d.scenario + (d.example ? " [" + d.example + "]" : ""), d.field, d.mock, d.target, d.reason || ""];
      }));
    }
    body.appendChild(h("h3", { text: "History of profile " + data.run.profile }));
    if (!data.history || !data.history.length) {
      body.appendChild(h("p", { "class": "muted", text: "no history yet (reports/history.jsonl)" }));
    } else {
      table(body, ["time", "target", "commit"].concat(STATUSES), data.history.slice(-20).reverse().map(function (e) {
        return [e.started, e.target, e.commit || ""].concat(STATUSES.map(function (st) { return String((e.counts || {})[st] || 0); }));
      }));
    }
  }
  function table(parent, head, rows) {
    parent.appendChild(h("div", { "class": "scroll" }, h("table", null,
      h("thead", null, h("tr", null, head.map(function (t) { return h("th", { text: t }); }))),
      h("tbody", null, rows.map(function (r) { return h("tr", null, r.map(function (c) { return h("td", null, c); })); })))));
  }

  // Scenarios: one <details> each; its body is drawn when it is first opened.
  var items = [];
  function renderScenarios() {
    var list = byId("scenario-list");
    data.scenarios.forEach(function (sc) {
      var d = h("details", { "class": "scenario " + sc.status, id: "s-" + sc.id, "data-status": sc.status },
        h("summary", null, badge(sc.status), h("span", { "class": "name", text: sc.name }),
          sc.example ? h("span", { "class": "example", text: sc.example }) : null,
          h("span", { "class": "feature", text: sc.feature }),
          sc.expected ? h("span", { "class": "badge warned", text: "baseline: " + sc.expected.outcome }) : null,
          h("span", { "class": "dur", text: sc.duration })));
      d.addEventListener("toggle", function () { if (d.open) fill(d, sc); });
      var hay = [sc.name, sc.example || "", sc.feature, sc.tags.join(" "), sc.clauses.join(" ")].concat(sc.steps.map(function (st) { return st.text; })).join("\n").toLowerCase();
      items.push({ sc: sc, el: d, hay: hay });
      list.appendChild(d);
      if (sc.status === "failed") d.open = true;
    });
  }
  function fill(d, sc) {
    if (d.dataset.filled) return;
    d.dataset.filled = "1";
    var b = h("div", { "class": "sbody" });
    b.appendChild(h("div", { "class": "tags" }, sc.tags.map(function (t) { return h("span", { "class": "tag", text: t }); })));
    b.appendChild(h("div", { "class": "muted", text: "grant: " + label(data.grants, sc.grant) + " · area: " + label(data.areas, sc.area) + " · clauses: " + (sc.clauses.map(clauseName).join(", ") || "none") }));
    (sc.notes || []).forEach(function (n) { b.appendChild(h("div", { "class": "note " + n.kind, text: n.kind + ": " + n.message })); });
    if (sc.expected) b.appendChild(h("div", { "class": "note", text: "baseline (" + sc.expected.outcome + "): " + sc.expected.reason }));
    if (sc.lineage && sc.lineage.length) b.appendChild(lineage(sc));
    var ol = h("ol", { "class": "steps" });
    sc.steps.forEach(function (st) {
      ol.appendChild(h("li", { "class": st.status },
        h("span", { "class": "kw", text: KEYWORD[st.type] || st.type }), st.text, " ", badge(st.status),
        st.error ? h("pre", { "class": "error", text: st.error }) : null,
        (st.exchanges || []).map(exchange)));
    });
    b.appendChild(ol);
    if (sc.cleanup && sc.cleanup.length) {
      b.appendChild(h("div", { "class": "muted", text: "cleanup" }));
      sc.cleanup.forEach(function (x) { b.appendChild(exchange(x)); });
    }
    d.appendChild(b);
  }
  function path(u) {
    var m = /^[a-z]+:\/\/[^/]+(\/.*)?$/i.exec(u);
    return m ? (m[1] || "/") : u;
  }
  function headers(hs) {
    if (!hs) return "";
    return Object.keys(hs).sort().map(function (k) { return hs[k].map(function (v) { return k + ": " + v; }).join("\n"); }).join("\n");
  }
  function pretty(body) {
    if (!body) return "";
    try { return JSON.stringify(JSON.parse(body), null, 2); } catch (e) { return body; }
  }
  function exchange(x) {
    var status = x.error ? "no answer" : String(x.status);
    var d = h("details", { "class": "exchange" }, h("summary", { text: x.method + " " + path(x.url) + " → " + status + " (" + x.duration + ")" }));
    d.addEventListener("toggle", function () {
      if (!d.open || d.dataset.filled) return;
      d.dataset.filled = "1";
      var copy = h("button", { type: "button", text: "copy" });
      var pre = h("pre", { text: x.curl });
      copy.addEventListener("click", function () { copyText(x.curl, copy); });
      d.appendChild(h("div", { "class": "xgrid" },
        h("div", null, h("h4", { text: "request" }), h("pre", { text: x.method + " " + x.url + "\n" + headers(x.request_header) }),
          x.request_body ? h("pre", { text: pretty(x.request_body) }) : null),
        h("div", null, h("h4", { text: "response" }),
          x.error ? h("pre", { "class": "error", text: x.error }) : h("pre", { text: "HTTP " + x.status + "\n" + headers(x.response_header) }),
          x.response_body ? h("pre", { text: pretty(x.response_body) }) : null)));
      d.appendChild(h("div", { "class": "curl" }, h("h4", { text: "curl (secrets are the profile's variables)" }), pre, copy));
    });
    return d;
  }
  function copyText(text, button) {
    function done(ok) { button.textContent = ok ? "copied" : "select and copy"; }
    try {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
      } else {
        done(fallback(text));
      }
    } catch (e) { done(false); }
  }
  function fallback(text) {
    var ta = h("textarea", { "class": "hidden-copy" });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  // Token lineage: one lane per session, one box per grant, refresh or revocation, an arrow from the event
  // that issued a token to the one that used it.
  function lineage(sc) {
    var NS = "http://www.w3.org/2000/svg", W = 150, H = 56, BW = 136, BH = 46, TOP = 18;
    var evs = sc.lineage, lanes = 0;
    evs.forEach(function (e) { lanes = Math.max(lanes, e.lane + 1); });
    function s(tag, attrs, text) {
      var el = document.createElementNS(NS, tag);
      for (var k in attrs) el.setAttribute(k, attrs[k]);
      if (text !== undefined) el.textContent = text;
      return el;
    }
    var width = evs.length * W, height = TOP + lanes * H;
    var svg = s("svg", { "class": "lineage", width: width, height: height, role: "img",
      "aria-label": "token lineage of " + sc.name, viewBox: "0 0 " + width + " " + height });
    var defs = s("defs", {}), marker = s("marker", { id: "arrow-" + sc.id, viewBox: "0 0 8 8", refX: "8", refY: "4", markerWidth: "7", markerHeight: "7", orient: "auto" });
    marker.appendChild(s("path", { d: "M0,0 L8,4 L0,8 z", "class": "head" }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    evs.forEach(function (e, i) {
      var x = i * W + 2, y = TOP + e.lane * H;
      if (e.from >= 0) {
        var f = evs[e.from], fy = TOP + f.lane * H, d;
        if (f.lane === e.lane && i - e.from > 1) {
          // Over the boxes between: from the top of the issuer to the top of the user.
          var fx = e.from * W + 2 + BW / 2, tx = x + BW / 2;
          d = "M" + fx + "," + fy + " C" + fx + "," + (fy - TOP) + " " + tx + "," + (y - TOP) + " " + tx + "," + y;
        } else {
          var rx = e.from * W + 2 + BW;
          d = "M" + rx + "," + (fy + BH / 2) + " C" + (rx + 10) + "," + (fy + BH / 2) + " " + (x - 10) + "," + (y + BH / 2) + " " + x + "," + (y + BH / 2);
        }
        svg.appendChild(s("path", { d: d, "marker-end": "url(#arrow-" + sc.id + ")" }));
      }
      var g = s("g", {});
      var cls = e.kind === "revoke" ? "revoke" : (e.ok ? "ok" : "no");
      g.appendChild(s("title", {}, e.label + " (step " + (e.step >= 0 ? e.step + 1 : "cleanup") + ", HTTP " + e.status + ")" +
        (e.used ? "\nused " + e.used : "") + (e.access ? "\naccess " + e.access : "") + (e.refresh ? "\nrefresh " + e.refresh : "")));
      g.appendChild(s("rect", { x: x, y: y, width: BW, height: BH, rx: 5, "class": cls }));
      g.appendChild(s("text", { x: x + 6, y: y + 14, "class": "l" }, e.label + (e.ok ? "" : " ✗ " + e.status)));
      var lines = [];
      if (e.kind === "revoke") lines.push("ends " + short(e.used));
      if (e.access) lines.push("A " + short(e.access));
      if (e.refresh) lines.push("R " + short(e.refresh));
      if (e.kind === "refresh" && !e.ok) lines.push("used " + short(e.used));
      lines.slice(0, 2).forEach(function (t, j) { g.appendChild(s("text", { x: x + 6, y: y + 28 + 12 * j }, t)); });
      svg.appendChild(g);
    });
    return h("div", { "class": "scroll" }, svg);
  }

  // Filters: text, status, area, grant, tag and clause; every change re-lists the scenarios.
  var F = { text: byId("f-text"), status: byId("f-status"), area: byId("f-area"), grant: byId("f-grant"), tag: byId("f-tag"), clause: byId("f-clause") };
  function options(select, values) {
    values.forEach(function (v) { select.appendChild(h("option", { value: v[0], text: v[1] })); });
  }
  function setupFilters() {
    var present = function (key) { var m = {}; data.scenarios.forEach(function (sc) { m[sc[key]] = true; }); return m; };
    var st = present("status"), ar = present("area"), gr = present("grant"), tags = {}, cl = {};
    data.scenarios.forEach(function (sc) {
      sc.tags.forEach(function (t) { tags[t] = true; });
      sc.clauses.forEach(function (c) { cl[c] = true; });
    });
    options(F.status, STATUSES.filter(function (s) { return st[s]; }).map(function (s) { return [s, s]; }));
    options(F.area, data.areas.filter(function (a) { return ar[a.id]; }).map(function (a) { return [a.id, a.label]; }));
    options(F.grant, data.grants.filter(function (g) { return gr[g.id]; }).map(function (g) { return [g.id, g.label]; }));
    options(F.tag, Object.keys(tags).sort().map(function (t) { return [t, t]; }));
    options(F.clause, data.clauses.filter(function (c) { return cl[c.id]; }).map(function (c) { return [c.id, clauseName(c.id)]; }));
    Object.keys(F).forEach(function (k) { F[k].addEventListener(k === "text" ? "input" : "change", apply); });
    byId("f-clear").addEventListener("click", function () { setFilters({}); });
    byId("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  }
  function setFilters(values) {
    Object.keys(F).forEach(function (k) { F[k].value = values[k] || ""; });
    apply();
    byId("scenarios").scrollIntoView();
  }
  function apply() {
    var text = F.text.value.trim().toLowerCase(), shown = 0;
    items.forEach(function (it) {
      var sc = it.sc;
      var ok = (!text || it.hay.indexOf(text) >= 0) && (!F.status.value || sc.status === F.status.value) &&
        (!F.area.value || sc.area === F.area.value) && (!F.grant.value || sc.grant === F.grant.value) &&
        (!F.tag.value || sc.tags.indexOf(F.tag.value) >= 0) && (!F.clause.value || sc.clauses.indexOf(F.clause.value) >= 0);
      it.el.classList.toggle("hidden", !ok);
      if (ok) shown++;
    });
    byId("f-count").textContent = shown + " of " + items.length + " scenarios";
  }

  var t0 = performance.now();
  try {
    renderMeta();
    renderSummary();
    renderMatrix();
    renderClauses();
    renderScenarios();
    setupFilters();
    apply();
    renderExtras();
    items.forEach(function (it) { if (it.el.open) fill(it.el, it.sc); });
  } catch (e) {
    // A browser test waits for either marker, so a broken page fails it at once instead of at its deadline.
    document.documentElement.setAttribute("data-render-error", String(e));
    throw e;
  }
  // The marker a browser test waits for: milliseconds since navigation began, and the script's own share.
  document.documentElement.setAttribute("data-script-ms", String(Math.round(performance.now() - t0)));
  document.documentElement.setAttribute("data-rendered", String(Math.round(performance.now())));
})();
