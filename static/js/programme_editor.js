// The programme editor (templates/programmes/programme_edit.html). When htmx replaces the commitment
// section, the element that had keyboard focus is gone; move focus to where the change happened so that
// keyboard and screen-reader users keep their place: the first field with an error, else the element the
// server marked with data-focus (a form gets focus on its first field).
(function () {
  "use strict";

  function focusTarget(root) {
    const invalid = root.querySelector(".is-invalid");
    if (invalid) {
      return invalid;
    }
    const marked = root.querySelector("[data-focus]");
    if (marked && marked.tagName === "FORM") {
      return marked.querySelector("input:not([type=hidden]), select, textarea");
    }
    return marked;
  }

  document.addEventListener("htmx:load", function (event) {
    const root = event.detail.elt;
    if (!root || root.id !== "commitments") {
      return;
    }
    const target = focusTarget(root);
    if (target) {
      target.focus();
    }
  });
})();
