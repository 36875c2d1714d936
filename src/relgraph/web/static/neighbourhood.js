/* Entity page: draw the neighbourhood graph from the page's JSON data block; a click opens a node's page. */
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("neighbourhood");
    var data = document.getElementById("neighbourhood-data");
    if (!box || !data || !window.relgraphGraphView) { return; }
    var elements = JSON.parse(data.textContent);
    var cy = window.relgraphGraphView.render(box, { nodes: elements.nodes, edges: elements.edges });
    cy.on("tap", "node", function (ev) {
      var href = ev.target.data("href");
      if (href && !ev.target.data("focus")) { window.location.href = href; }
    });
    window.relgraphNeighbourhood = cy;
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
