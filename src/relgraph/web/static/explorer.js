/* Theory explorer: loads /graph.json, draws it with relgraphGraphView, and
 * applies the filters (theory, outcome, kind of setting, direction), search,
 * focus on a selection's neighbourhood, PNG and SVG export. Summaries are
 * built with textContent only. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function checked(name) {
    var out = {};
    document.querySelectorAll("#explorer-filters input[name='" + name + "']").forEach(function (i) { out[i.value] = i.checked; });
    return out;
  }

  function start() {
    var box = document.getElementById("graph");
    if (!box || !window.relgraphGraphView) { return; }
    var status = document.getElementById("status");
    status.textContent = "Loading the graph…";
    fetch(box.getAttribute("data-src"), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) { setUp(box, data, status); })
      .catch(function (err) { status.textContent = "The graph could not be loaded: " + err.message; });
  }

  function setUp(box, data, status) {
    var view = window.relgraphGraphView;
    var cy = view.render(box, data.elements);
    var summary = document.getElementById("summary");
    var focusButton = document.getElementById("focus-selection");
    var focused = null;

    function apply() {
      var theory = document.getElementById("filter-theory").value;
      var outcome = document.getElementById("filter-outcome").value;
      var kinds = checked("settingKind");
      var dirs = checked("direction");
      cy.batch(function () {
        cy.elements().removeClass("hidden");
        var hiddenEdges = cy.edges().filter(function (e) {
          var d = e.data();
          if (theory && d.theories.indexOf(theory) < 0) { return true; }
          if (d.group === "finding") {
            if (kinds[d.settingKind] === false || dirs[d.direction] === false) { return true; }
            if (outcome && d.outcome !== outcome) { return true; }
          }
          return false;
        });
        var hiddenNodes = cy.nodes().filter(function (n) {
          var d = n.data();
          if (theory && d.theories.indexOf(theory) < 0) { return true; }
          return false;
        });
        if (focused) {
          var keep = focused.closedNeighborhood().closedNeighborhood();
          hiddenNodes = hiddenNodes.union(cy.nodes().difference(keep.nodes()));
          hiddenEdges = hiddenEdges.union(cy.edges().difference(keep.edges()));
        }
        hiddenNodes.style("display", "none");
        cy.nodes().difference(hiddenNodes).style("display", "element");
        hiddenEdges.style("display", "none");
        cy.edges().difference(hiddenEdges).style("display", "element");
        if (outcome) {
          // With an outcome chosen, keep only what leads to it.
          var visibleFindings = cy.edges("[group = 'finding']").filter(function (e) { return e.style("display") !== "none"; });
          var reach = visibleFindings.connectedNodes();
          var theoriesOf = {};
          visibleFindings.forEach(function (e) { e.data("theories").forEach(function (t) { theoriesOf[t] = true; }); });
          cy.nodes().forEach(function (n) {
            var keepIt = reach.contains(n) || theoriesOf[n.id()];
            if (!keepIt) { n.style("display", "none"); }
          });
        }
      });
      var shown = cy.nodes().filter(function (n) { return n.style("display") !== "none"; });
      box.setAttribute("data-visible-nodes", String(shown.length));
      status.textContent = shown.length + " of " + cy.nodes().length + " entities shown.";
    }

    function describe(ele) {
      summary.replaceChildren();
      var d = ele.data();
      summary.appendChild(el("h2", {}, ele.isNode() ? d.label : (d.findingLabel || d.label)));
      if (ele.isNode()) {
        summary.appendChild(el("p", { "class": "meta" }, d.kindLabel));
        if (d.summary) { summary.appendChild(el("p", {}, d.summary)); }
        var deg = ele.connectedEdges().length;
        summary.appendChild(el("p", { "class": "meta" }, deg + " link" + (deg === 1 ? "" : "s") + " in the graph"));
      } else if (d.group === "finding") {
        var p = el("p", {});
        p.appendChild(el("span", { "class": "state state-" + d.direction }, d.directionLabel));
        p.appendChild(document.createTextNode(" · setting: " + d.settingKind + " · " + d.works + " cited work" + (d.works === 1 ? "" : "s")));
        summary.appendChild(p);
      } else {
        summary.appendChild(el("p", { "class": "meta" }, ele.source().data("label") + " " + d.label + " " + ele.target().data("label")));
      }
      if (d.href) {
        var a = el("a", { href: d.href, id: "summary-open" }, "Open its page");
        summary.appendChild(el("p", {})).appendChild(a);
      }
      focusButton.disabled = !ele.isNode();
    }

    cy.on("tap", "node, edge", function (ev) { describe(ev.target); });
    cy.on("dbltap", "node", function (ev) { if (ev.target.data("href")) { window.location.href = ev.target.data("href"); } });

    document.querySelectorAll("#explorer-filters select, #explorer-filters input[type=checkbox]").forEach(function (i) {
      i.addEventListener("change", apply);
    });
    document.getElementById("search").addEventListener("input", function (ev) {
      var text = ev.target.value.trim().toLowerCase();
      cy.nodes().removeClass("match");
      if (!text) { status.textContent = ""; return; }
      var found = cy.nodes().filter(function (n) { return n.data("label").toLowerCase().indexOf(text) >= 0 && n.style("display") !== "none"; });
      found.addClass("match");
      status.textContent = found.length + " match" + (found.length === 1 ? "" : "es") + " for “" + ev.target.value.trim() + "”.";
      if (found.length) { cy.fit(found.closedNeighborhood(), 60); }
      if (found.length === 1) { found.select(); describe(found[0]); }
    });
    focusButton.addEventListener("click", function () {
      var selected = cy.$("node:selected");
      if (selected.length) { focused = selected; apply(); cy.fit(focused.closedNeighborhood().closedNeighborhood(), 40); }
    });
    document.getElementById("show-all").addEventListener("click", function () {
      focused = null;
      document.getElementById("explorer-filters").reset();
      apply();
      cy.fit(undefined, 24);
    });
    document.getElementById("fit").addEventListener("click", function () { cy.fit(cy.elements(":visible"), 24); });
    document.getElementById("export-png").addEventListener("click", function () { view.exportPng(cy, "relgraph-theories"); });
    document.getElementById("export-svg").addEventListener("click", function () { view.exportSvg(cy, "relgraph-theories"); });

    // Keyboard: the list of entities selects a node when one of its links gets focus.
    document.querySelectorAll("#element-list li[data-id] a").forEach(function (a) {
      a.addEventListener("focus", function () {
        var node = cy.getElementById(a.parentNode.getAttribute("data-id"));
        if (node.length) { cy.$(":selected").unselect(); node.select(); describe(node); }
      });
    });
    apply();
    window.relgraphExplorer = cy;
    box.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
