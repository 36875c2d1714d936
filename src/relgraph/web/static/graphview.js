/* relgraph graph view: Cytoscape.js with the fCoSE layout, shared by the theory
 * explorer, the entity neighbourhood and the query page's graph tab.
 * window.relgraphGraphView.render(container, elements, options) -> cy.
 * Styles read the element data: kind (node colour and shape), group
 * (structure or finding), direction (edge colour and symbol label) and
 * settingKind (edge line style). Labels are set as text by Cytoscape. */
(function () {
  "use strict";
  var registered = false;

  function register() {
    if (registered || !window.cytoscape) { return; }
    if (window.cytoscapeFcose) { window.cytoscape.use(window.cytoscapeFcose); }
    if (window.cytoscapeSvg) { window.cytoscape.use(window.cytoscapeSvg); }
    registered = true;
  }

  var KIND = {
    theory: ["#1f3b73", "round-rectangle"], model: ["#3f7fbf", "ellipse"], construct: ["#5aa5a0", "ellipse"],
    method: ["#8c6bb1", "diamond"], instrument: ["#b07cc6", "diamond"], outcome: ["#d08c2a", "round-triangle"],
    goal: ["#c2631b", "round-triangle"], characteristic: ["#7a8a99", "hexagon"], other: ["#9aa3ad", "ellipse"]
  };
  var DIRECTION = { supported: "#1b7837", negative: "#b2182b", mixed: "#762a83", unstated: "#b35806", "null": "#4d4d4d", preference: "#5b6475" };
  var SETTING = {
    psychiatric: ["solid", [1]], psychotherapy: ["dashed", [8, 4]], "general-medical": ["dotted", [2, 3]],
    training: ["dashed", [12, 3, 2, 3]], other: ["double", [1]], none: ["dashed", [5, 8]]
  };

  function style() {
    var s = [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 120,
        "text-valign": "bottom", "text-margin-y": 3, "color": "#1d2433", "background-color": "#9aa3ad",
        "width": 18, "height": 18, "text-outline-color": "#fff", "text-outline-width": 2, "min-zoomed-font-size": 7 } },
      { selector: "node[?focus]", style: { "border-width": 4, "border-color": "#f2b705" } },
      { selector: "edge", style: {
        "width": 1.2, "line-color": "#b8c0cc", "target-arrow-color": "#b8c0cc", "target-arrow-shape": "triangle",
        "arrow-scale": 0.8, "curve-style": "bezier", "font-size": 9, "color": "#5b6475" } },
      { selector: "edge[group = 'finding']", style: {
        "width": 2.6, "label": "data(label)", "font-size": 14, "font-weight": "bold",
        "text-background-color": "#fff", "text-background-opacity": 0.9, "text-background-padding": 1 } },
      { selector: ".faded", style: { "opacity": 0.12 } },
      { selector: ".match", style: { "border-width": 4, "border-color": "#f2b705", "font-weight": "bold" } },
      { selector: ":selected", style: { "border-width": 4, "border-color": "#111", "line-color": "#111", "target-arrow-color": "#111" } }
    ];
    Object.keys(KIND).forEach(function (k) {
      s.push({ selector: "node[kind = '" + k + "']", style: { "background-color": KIND[k][0], "shape": KIND[k][1] } });
    });
    s.push({ selector: "node[kind = 'theory']", style: { "width": 34, "height": 22, "font-size": 14, "font-weight": "bold" } });
    Object.keys(DIRECTION).forEach(function (d) {
      s.push({ selector: "edge[direction = '" + d + "']", style: { "line-color": DIRECTION[d], "target-arrow-color": DIRECTION[d], "color": DIRECTION[d] } });
    });
    Object.keys(SETTING).forEach(function (k) {
      s.push({ selector: "edge[group = 'finding'][settingKind = '" + k + "']", style: { "line-style": SETTING[k][0], "line-dash-pattern": SETTING[k][1] } });
    });
    return s;
  }

  function layoutOptions(count) {
    var fcose = !!window.cytoscapeFcose;
    return {
      name: fcose ? "fcose" : "cose", quality: "proof", animate: false, randomize: true,
      nodeRepulsion: 9000, idealEdgeLength: 70, nodeSeparation: 90, packComponents: true,
      numIter: count > 300 ? 1200 : 2500, fit: true, padding: 24
    };
  }

  function render(container, elements, options) {
    register();
    options = options || {};
    var cy = window.cytoscape({
      container: container, elements: elements, style: style(), wheelSensitivity: 0.2,
      minZoom: 0.1, maxZoom: 4, boxSelectionEnabled: false
    });
    cy.layout(layoutOptions(cy.nodes().length)).run();
    container.setAttribute("data-nodes", String(cy.nodes().length));
    container.setAttribute("data-edges", String(cy.edges().length));
    return cy;
  }

  function download(name, blob) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  function exportPng(cy, name) {
    download(name + ".png", cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" }));
  }

  function svgText(cy) {
    return cy.svg({ full: true, scale: 1, bg: "#ffffff" });
  }

  function exportSvg(cy, name) {
    download(name + ".svg", new Blob([svgText(cy)], { type: "image/svg+xml" }));
  }

  window.relgraphGraphView = { render: render, exportPng: exportPng, exportSvg: exportSvg, svgText: svgText, style: style };
})();
