/* Query page: a CONSTRUCT or DESCRIBE answer gets a "Graph" tab beside its
 * table, drawing the triples with relgraphGraphView (IRIs and blank nodes as
 * nodes, statements between them as edges, literals in the node's summary).
 * It reads the rendered table, so it works for answers rendered by the server
 * and by app.js alike. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function term(td) {
    var a = td.querySelector("a.iri");
    if (a) { return { id: a.getAttribute("title"), label: a.textContent, href: a.getAttribute("href") }; }
    var b = td.querySelector(".bnode");
    if (b) { return { id: b.textContent, label: b.textContent, href: "" }; }
    return null;
  }

  function elements(table) {
    var nodes = {}, edges = [];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row, i) {
      var s = term(row.cells[0]), p = term(row.cells[1]), o = term(row.cells[2]);
      if (!s || !p) { return; }
      nodes[s.id] = nodes[s.id] || { data: { id: s.id, label: s.label, href: s.href, kind: "other", summary: "" } };
      if (o) {
        nodes[o.id] = nodes[o.id] || { data: { id: o.id, label: o.label, href: o.href, kind: "other", summary: "" } };
        edges.push({ data: { id: "q" + i, source: s.id, target: o.id, label: p.label, group: "structure" } });
      } else {
        nodes[s.id].data.summary += p.label + ": " + row.cells[2].textContent.trim() + "\n";
      }
    });
    return { nodes: Object.keys(nodes).map(function (k) { return nodes[k]; }), edges: edges };
  }

  function enhance(section) {
    var table = section.querySelector("table.results[data-kind='graph']");
    if (!table || section.querySelector(".tabs") || !window.relgraphGraphView) { return; }
    var tabs = el("div", { "class": "tabs", role: "tablist" });
    var tableTab = el("button", { type: "button", role: "tab", "aria-selected": "true", id: "tab-table" }, "Table");
    var graphTab = el("button", { type: "button", role: "tab", "aria-selected": "false", id: "tab-graph" }, "Graph");
    tabs.appendChild(tableTab); tabs.appendChild(graphTab);
    var box = el("div", { id: "result-graph", "class": "graph-canvas", role: "img", "aria-label": "The answer's triples as a graph; the table tab lists them", hidden: "" });
    var info = el("p", { "class": "meta", id: "result-graph-info", hidden: "" });
    table.parentNode.insertBefore(tabs, table);
    table.parentNode.insertBefore(box, table);
    table.parentNode.insertBefore(info, table);
    var cy = null;
    function show(graph) {
      tableTab.setAttribute("aria-selected", graph ? "false" : "true");
      graphTab.setAttribute("aria-selected", graph ? "true" : "false");
      table.hidden = graph; box.hidden = !graph; info.hidden = !graph;
      if (graph && !cy) {
        cy = window.relgraphGraphView.render(box, elements(table));
        cy.on("tap", "node", function (ev) {
          var d = ev.target.data();
          info.textContent = d.label + (d.summary ? " — " + d.summary.replace(/\n/g, "; ") : "");
        });
        cy.on("dbltap", "node", function (ev) { if (ev.target.data("href")) { window.location.href = ev.target.data("href"); } });
        info.textContent = cy.nodes().length + " nodes, " + cy.edges().length + " links; click a node for its literals, double-click to open it.";
        window.relgraphResultGraph = cy;
      }
    }
    tableTab.addEventListener("click", function () { show(false); });
    graphTab.addEventListener("click", function () { show(true); });
  }

  function start() {
    var section = document.getElementById("results");
    if (!section) { return; }
    enhance(section);
    new MutationObserver(function () { enhance(section); }).observe(section, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
