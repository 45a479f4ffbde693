/*
 * Progress report form: show "reason for dropping" only when the status asks for it.
 * Without JavaScript the field simply stays visible; the server checks the rule either way.
 */
(function () {
  "use strict";

  function init() {
    var status = document.getElementById("id_status");
    var reason = document.getElementById("id_drop_reason");
    if (!status || !reason) {
      return;
    }
    var wrapper = document.getElementById("div_id_drop_reason") || reason.parentElement;

    function update() {
      var dropped = status.value === "dropped";
      // A field the server refused stays in view, whatever the status says now.
      wrapper.hidden = !dropped && !wrapper.querySelector(".is-invalid");
      reason.required = dropped;
      if (dropped) {
        reason.setAttribute("aria-required", "true");
      } else {
        reason.removeAttribute("aria-required");
      }
    }

    status.addEventListener("change", update);
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
