/* Evidence gap map: theory rows collapse to show only the theories (expand with
 * the toggle or the keyboard), the setting filter applies on change, and a cell
 * opens the findings behind it. Without this script every row is shown and the
 * cells link to the list of findings below the map. */
(function () {
  "use strict";
  function start() {
    var table = document.getElementById("gap-map");
    if (!table) { return; }
    var select = document.getElementById("setting-kind");
    if (select) { select.addEventListener("change", function () { select.form.submit(); }); }
    function children(row) {
      return table.querySelectorAll("tr[data-parent='" + row.getAttribute("data-iri") + "']");
    }
    function setOpen(row, open) {
      var button = row.querySelector("button.toggle");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.firstChild.textContent = open ? "▾" : "▸";
      children(row).forEach(function (r) { r.hidden = !open; });
    }
    var theories = table.querySelectorAll("tr.level-0");
    theories.forEach(function (row) {
      var button = row.querySelector("button.toggle");
      if (!button || children(row).length === 0) { return; }
      button.hidden = false;
      setOpen(row, false);
      button.addEventListener("click", function () { setOpen(row, button.getAttribute("aria-expanded") !== "true"); });
    });
    var all = document.getElementById("expand-all");
    if (all) {
      all.hidden = false;
      all.addEventListener("click", function () {
        var open = all.getAttribute("data-open") !== "true";
        theories.forEach(function (row) { if (row.querySelector("button.toggle:not([hidden])")) { setOpen(row, open); } });
        all.setAttribute("data-open", open ? "true" : "false");
        all.textContent = open ? "Collapse all" : "Expand all";
      });
    }
    table.addEventListener("click", function (ev) {
      var a = ev.target.closest("a.cell-link");
      if (!a) { return; }
      var target = document.getElementById(a.getAttribute("data-cell"));
      if (!target) { return; }
      ev.preventDefault();
      document.querySelectorAll(".cell-detail.open").forEach(function (d) { d.classList.remove("open"); });
      target.classList.add("open");
      history.replaceState(null, "", "#" + target.id);
      target.scrollIntoView({ block: "nearest" });
      target.focus({ preventScroll: true });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
