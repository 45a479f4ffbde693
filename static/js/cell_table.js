/*
 * A cell's table (proposals or decisions): the quota of Excellent ratings counted again as the levels change.
 * Each box holds its deciding organisation's counts outside the table (data-base-*); each level select names its
 * box (data-quota-group) and what the row keeps when left blank (data-fallback, the cell's proposal if any).
 * As reviews.bulk_views._set_quotas counts: in a proposal table every level counts; in a decision table the
 * Excellent ratings counted are those decided, against the Good ones of the whole picture.
 * Without JavaScript the box shows the levels as last sent ("check the quota"); the server checks the set anyway.
 */
(function () {
  "use strict";

  var EXCELLENT = "excellent";
  var GOOD = "good";

  function number(element, name) {
    return parseInt(element.getAttribute(name), 10) || 0;
  }

  function show(box, name, value) {
    box.querySelectorAll('[data-count="' + name + '"]').forEach(function (element) {
      element.textContent = String(value);
    });
  }

  function count(box, selects) {
    var group = box.getAttribute("data-group");
    var deciding = box.getAttribute("data-mode") === "decide";
    var percent = number(box, "data-percent");
    var excellent = number(box, "data-base-excellent");
    var good = number(box, "data-base-good");
    selects.forEach(function (select) {
      if (select.getAttribute("data-quota-group") !== group) {
        return;
      }
      var chosen = select.value;
      var level = chosen || select.getAttribute("data-fallback") || "";
      if (level === GOOD) {
        good += 1;
      }
      // A row left blank keeps its proposal: in a decision table that is not an Excellent rating decided.
      if (level === EXCELLENT && (chosen || !deciding)) {
        excellent += 1;
      }
    });
    var allowed = Math.floor((good * percent) / 100);
    var beyond = Math.max(0, excellent - allowed);
    show(box, "excellent", excellent);
    show(box, "good", good);
    show(box, "allowed", allowed);
    show(box, "beyond", beyond);
    box.querySelector('[data-state="within"]').hidden = beyond > 0;
    box.querySelector('[data-state="beyond"]').hidden = beyond === 0;
    box.classList.toggle("border-danger", beyond > 0);
  }

  function init() {
    var boxes = document.querySelectorAll("[data-quota-box]");
    if (!boxes.length) {
      return;
    }
    var selects = document.querySelectorAll("select[data-quota-group]");

    function countAll() {
      boxes.forEach(function (box) {
        count(box, selects);
      });
    }

    selects.forEach(function (select) {
      select.addEventListener("change", countAll);
    });
    countAll();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
