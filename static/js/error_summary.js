// The error summary of a form page (templates/includes/error_summary.html): focused when the page opens, or when
// htmx brings a form back with errors, so that a screen reader reads it first; each of its links moves the focus
// to its field. A list of radio buttons or boxes has no element with the field's id: the first of them is taken.
(function () {
  "use strict";

  function fieldOf(link) {
    var byId = document.getElementById(link.hash.slice(1));
    if (byId && byId.matches("input, select, textarea")) {
      return byId;
    }
    var inside = byId && byId.querySelector("input, select, textarea");
    if (inside) {
      return inside;
    }
    var form = link.closest("form") || document;
    return form.querySelector('[name="' + CSS.escape(link.dataset.errorField) + '"]') ||
      document.querySelector('[name="' + CSS.escape(link.dataset.errorField) + '"]');
  }

  function focusSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[data-error-field]");
    if (!link) {
      return;
    }
    var field = fieldOf(link);
    if (!field) {
      return;
    }
    event.preventDefault();
    // The field's label or legend in sight above it, then the focus on the field itself.
    var group = field.closest("fieldset, .mb-3") || field;
    group.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  document.addEventListener("DOMContentLoaded", function () {
    focusSummary(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    focusSummary(event.target);
  });
})();
