/*
 * The portal on a phone.
 *
 * Tables read as cards on a phone (static/css/portal.css, .table-cards): each cell is given the name of its column
 * (data-label), shown above its value once the row is stacked, and the cell holding the row's action (a button, or
 * a form) is marked so the card shows it first. Every table of the main content with column headings takes part,
 * unless it says otherwise (.table-keep). Without JavaScript a table keeps its rows and scrolls inside its frame.
 */
(function () {
  "use strict";

  function columnNames(table) {
    var rows = table.tHead ? table.tHead.rows : [];
    if (!rows.length) {
      return null;
    }
    var names = [];
    Array.prototype.forEach.call(rows[rows.length - 1].cells, function (cell) {
      // A heading hidden from sight (the actions' column) names nothing a reader of the card needs.
      var seen = cell.cloneNode(true);
      seen.querySelectorAll(".visually-hidden").forEach(function (hidden) {
        hidden.remove();
      });
      var name = seen.textContent.replace(/\s+/g, " ").trim();
      for (var span = 0; span < (cell.colSpan || 1); span += 1) {
        names.push(name);
      }
    });
    return names;
  }

  function isAction(cell) {
    return Boolean(cell.querySelector(".btn, button, input[type=submit]")) && !cell.querySelector("select, textarea, input[type=text], input[type=number]");
  }

  function label(table) {
    var names = columnNames(table);
    if (!names) {
      return;
    }
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var name = names[column] || "";
          if (name && !cell.hasAttribute("data-label") && (cell.colSpan || 1) === 1) {
            cell.setAttribute("data-label", name);
          }
          if (isAction(cell) && column === names.length - 1) {
            cell.classList.add("table-cards__action");
          }
          column += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("table-cards");
  }

  function labelAll(root) {
    root.querySelectorAll("main table.table:not(.table-keep)").forEach(label);
  }

  /*
   * Filters that would push a list's results down a phone's screen (.filters-fold, a <details> written open) fold
   * behind their "Lọc" button there; on a wider screen they stay open, their button hidden. Without JavaScript they
   * stay open everywhere. Filters the person must correct (.is-invalid, an alert) stay open.
   */
  function foldFilters() {
    if (!window.matchMedia("(max-width: 575.98px)").matches) {
      return;
    }
    document.querySelectorAll("details.filters-fold[open]").forEach(function (fold) {
      if (!fold.querySelector(".is-invalid, [role=alert]")) {
        fold.open = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelAll(document);
    foldFilters();
  });
  // Parts of a page htmx swaps in bring their own tables.
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.querySelectorAll) {
      event.detail.elt.querySelectorAll("table.table:not(.table-keep)").forEach(label);
    }
  });
})();
