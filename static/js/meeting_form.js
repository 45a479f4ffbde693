/*
 * Meeting form: once members are marked present or absent by name, the number present follows the marks (and the
 * quorum hint with it, through the field's own htmx trigger). Without JavaScript the number may be left blank:
 * the server counts the marks, and checks that the list and the numbers agree either way.
 */
(function () {
  "use strict";

  function init() {
    var table = document.querySelector("[data-attendance]");
    var present = document.getElementById("id_members_present");
    if (!table || !present) {
      return;
    }

    function update() {
      var marked = table.querySelectorAll("input[type=radio]:checked");
      if (!marked.length) {
        return;
      }
      var count = 0;
      marked.forEach(function (radio) {
        if (radio.value === "present") {
          count += 1;
        }
      });
      present.value = String(count);
      present.dispatchEvent(new Event("input", { bubbles: true }));
    }

    table.addEventListener("change", update);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
