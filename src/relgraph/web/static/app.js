/* relgraph query page: YASQE editor bound to our endpoint, results rendered from
 * the page's JSON twin (/query.json), sortable tables. Everything also works
 * without this script: the form posts to the server, which renders the table. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function cellNode(c) {
    var td = el("td");
    if (!c) { return td; }
    if (c.type === "uri") {
      var a = el("a", { "class": "iri", href: c.href, title: c.value }, c.label || c.curie);
      td.appendChild(a);
      if (c.label) { td.appendChild(document.createTextNode(" ")); td.appendChild(el("small", { "class": "curie" }, c.curie)); }
    } else if (c.type === "literal") {
      td.appendChild(el("span", { "class": "literal" }, c.value));
      if (c.lang) { td.appendChild(document.createTextNode(" ")); td.appendChild(el("small", { "class": "lang" }, "@" + c.lang)); }
      else if (c.datatype) { td.appendChild(document.createTextNode(" ")); td.appendChild(el("small", { "class": "datatype" }, c.datatype)); }
    } else {
      td.appendChild(el("span", { "class": c.type }, c.value));
    }
    return td;
  }

  function sortKey(td) {
    var main = td.firstElementChild;
    var text = (main ? main.textContent : td.textContent).trim();
    var number = Number(text);
    return text !== "" && !isNaN(number) ? number : text.toLowerCase();
  }

  function makeSortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, index) {
      th.classList.add("sortable");
      th.setAttribute("tabindex", "0");
      th.setAttribute("aria-sort", "none");
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var a = sortKey(r1.cells[index]), b = sortKey(r2.cells[index]);
          if (typeof a !== typeof b) { a = String(a); b = String(b); }
          var order = a < b ? -1 : a > b ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sort(); } });
    });
  }

  function renderError(section, err) {
    section.replaceChildren();
    var box = el("div", { "class": "message error", role: "alert", "data-status": err.status, "data-type": err.type || "" });
    box.appendChild(el("strong", { "class": "error-text" }, err.error));
    if (err.line) { box.appendChild(el("span", { "class": "where" }, " (line " + err.line + ", column " + err.column + ")")); }
    if (err.hint) { box.appendChild(el("p", { "class": "hint" }, err.hint)); }
    section.appendChild(box);
  }

  function renderResults(section, data) {
    section.replaceChildren();
    var meta = el("p", { "class": "meta" });
    meta.appendChild(el("span", { id: "row-count", "data-rows": data.row_count }, data.row_count + (data.row_count === 1 ? " row" : " rows")));
    meta.appendChild(document.createTextNode(" in "));
    meta.appendChild(el("span", { id: "elapsed" }, data.elapsed_ms + " ms"));
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(el("a", { id: "permalink", href: data.permalink }, "permalink"));
    meta.appendChild(document.createTextNode(" · download "));
    data.downloads.forEach(function (d, i) {
      meta.appendChild(el("a", { "class": "download", "data-format": d.format, href: d.href }, d.label));
      if (i < data.downloads.length - 1) { meta.appendChild(document.createTextNode(", ")); }
    });
    section.appendChild(meta);
    if (data.truncated) {
      var warn = el("div", { "class": "message warning", id: "truncated", role: "status" });
      warn.appendChild(document.createTextNode("The answer was cut at " + data.max_rows + " rows (setting "));
      warn.appendChild(el("code", {}, "max_rows"));
      warn.appendChild(document.createTextNode("); add a LIMIT or narrow the query to see the rest."));
      section.appendChild(warn);
    }
    var table = el("table", { "class": "results", "data-kind": data.kind });
    var head = el("tr");
    data.columns.forEach(function (c, i) { head.appendChild(el("th", { scope: "col", "data-col": i }, c)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    data.rows.forEach(function (row) {
      var tr = el("tr");
      row.forEach(function (c) { tr.appendChild(cellNode(c)); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    section.appendChild(table);
    makeSortable(table);
  }

  function registerCompleters(Yasqe, prefixesUrl, termsUrl) {
    var prefixes = fetch(prefixesUrl).then(function (r) { return r.json(); });
    var terms = fetch(termsUrl).then(function (r) { return r.json(); }).then(function (d) { return d.terms; });
    var labels = {};
    function curie(iri, map) {
      var best = null;
      Object.keys(map).forEach(function (p) {
        var ns = map[p];
        if (iri.indexOf(ns) === 0 && /^[A-Za-z0-9_.-]+$/.test(iri.slice(ns.length)) && (!best || ns.length > map[best].length)) { best = p; }
      });
      return best ? { prefix: best, text: best + ":" + iri.slice(map[best].length) } : null;
    }
    function byLabel(kind) {
      return function (yasqe, token) {
        var typed = ((token && token.string) || "").replace(/^</, "").replace(/>$/, "").trim();
        var needle = typed.indexOf(":") >= 0 && typed.indexOf("://") < 0 ? typed.slice(typed.indexOf(":") + 1) : typed;
        needle = needle.toLowerCase();
        return terms.then(function (list) {
          return list.filter(function (t) {
            if (t.kind !== kind) { return false; }
            var local = t.iri.replace(/^.*[\/#]/, "").toLowerCase();
            return !needle || t.label.toLowerCase().indexOf(needle) >= 0 || local.indexOf(needle) >= 0;
          }).map(function (t) { labels[t.iri] = t.label; return t.iri; });
        });
      };
    }
    function compact(yasqe, token, iri) {
      var map = window.relgraphPrefixes || {};
      var c = curie(iri, map);
      if (!c) { return "<" + iri + ">"; }
      var declared = yasqe.getPrefixesFromQuery();
      if (!declared[c.prefix]) { var add = {}; add[c.prefix] = map[c.prefix]; yasqe.addPrefixes(add); }
      labels[c.text] = labels[iri];
      return c.text;
    }
    function withLabels(yasqe, hints) {
      return hints.map(function (h) { h.displayText = labels[h.text] ? h.text + "  — " + labels[h.text] : h.text; return h; });
    }
    var ready = prefixes.then(function (map) { window.relgraphPrefixes = map; return map; });
    Yasqe.forkAutocompleter("prefixes", {
      name: "rgPrefixes", persistenceId: null,
      get: function () {
        return prefixes.then(function (map) {
          return Object.keys(map).sort().map(function (p) { return p + ": <" + map[p] + ">"; });
        });
      }
    }, false);
    Yasqe.forkAutocompleter("class", {
      name: "rgClasses", bulk: false, autoShow: true, get: byLabel("class"),
      postProcessSuggestion: compact, postprocessHints: withLabels
    }, false);
    Yasqe.forkAutocompleter("property", {
      name: "rgProperties", bulk: false, autoShow: true, get: byLabel("property"),
      postProcessSuggestion: compact, postprocessHints: withLabels
    }, false);
    return ready;
  }

  /* The endpoint predeclares our prefixes; the editor's checker does not, so
   * declare the ones a query uses (e.g. a stored query loaded as an example). */
  function declarePrefixes(yasqe, map) {
    var used = {};
    var re = /(^|[\s(){}\[\],;\/|^!])([A-Za-z][\w-]*):(?=[A-Za-z0-9_])/g;
    var text = yasqe.getValue().replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|<[^>\s]*>|#[^\n]*/g, " ");
    var match;
    while ((match = re.exec(text)) !== null) { used[match[2]] = true; }
    var declared = yasqe.getPrefixesFromQuery();
    var add = {};
    Object.keys(used).forEach(function (p) { if (map[p] && !declared[p]) { add[p] = map[p]; } });
    if (Object.keys(add).length) { yasqe.addPrefixes(add); }
  }

  function setupQueryPage(form) {
    var textarea = document.getElementById("query-text");
    var host = document.getElementById("editor");
    var section = document.getElementById("results");
    var yasqe = null;
    if (window.Yasgui && window.Yasgui.Yasqe) {
      var Yasqe = window.Yasgui.Yasqe;
      var prefixesReady = registerCompleters(Yasqe, host.dataset.prefixes, host.dataset.terms);
      textarea.hidden = true;
      yasqe = new Yasqe(host, {
        value: textarea.value,
        persistenceId: null,
        consumeShareLink: null,
        createShareableLink: null,
        requestConfig: { endpoint: host.dataset.endpoint, method: "POST" },
        autocompleters: ["rgPrefixes", "rgProperties", "rgClasses", "variables"],
        showQueryButton: true,
        resizeable: true,
        editorHeight: "300px"
      });
      yasqe.on("change", function () { textarea.value = yasqe.getValue(); });
      yasqe.query = function () { run(); return Promise.resolve(); };
      window.relgraphEditor = yasqe;
      prefixesReady.then(function (map) { declarePrefixes(yasqe, map); textarea.value = yasqe.getValue(); });
    }

    function run() {
      if (yasqe) { textarea.value = yasqe.getValue(); }
      var body = new URLSearchParams(new FormData(form));
      section.replaceChildren(el("p", { "class": "meta running", role: "status" }, "Running…"));
      form.classList.add("busy");
      return fetch(host.dataset.results, { method: "POST", body: body, headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok || data.ok === false) { renderError(section, data); return; }
            renderResults(section, data);
            history.replaceState(null, "", data.permalink);
          });
        })
        .catch(function (err) { renderError(section, { error: "The server could not be reached: " + err, status: 0 }); })
        .finally(function () { form.classList.remove("busy"); });
    }

    form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
    document.querySelectorAll("a.example").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        textarea.value = a.dataset.query;
        if (yasqe) {
          yasqe.setValue(a.dataset.query);
          if (window.relgraphPrefixes) { declarePrefixes(yasqe, window.relgraphPrefixes); }
        }
        document.querySelectorAll("a.example.selected").forEach(function (s) { s.classList.remove("selected"); });
        a.classList.add("selected");
        run();
      });
    });
  }

  document.querySelectorAll("table.results").forEach(makeSortable);
  var form = document.getElementById("query-form");
  if (form) { setupQueryPage(form); }
}());
