/*
 * The bản kiểm điểm as the member writes it (templates/includes/review_self_form.html):
 * - the "Kiểm tra trước khi nộp" panel follows the typing: a moment after the last key, the draft as typed goes to
 *   the edit address in "check" mode and the portal answers with the panel from its own checks (nothing saved);
 * - the draft saves itself every half minute when something changed, and when a changed field is left
 *   ("autosave" mode: the same service as "Lưu bản nháp", one line in the history for a sitting of writing);
 * - "In bản nháp" prints the page as a document (static/css/self_review_print.css), every text in full.
 * Without JavaScript the page works as before: "Lưu bản nháp" saves and checks. The portal stays the judge at
 * submission either way.
 */
(function () {
  "use strict";

  var CHECK_DELAY_MS = 700;
  var AUTOSAVE_EVERY_MS = 30000;

  function init() {
    var form = document.querySelector("form[data-live-check]");
    if (!form || !window.htmx) {
      return;
    }
    var changes = 0; // edits since the page opened
    var savedAt = 0; // the number of edits the last automatic save carried
    var saving = false;
    var checkTimer = null;

    function post(mode) {
      return window.htmx.ajax("POST", form.getAttribute("action"), {
        source: form,
        target: "#self-review-check",
        swap: "innerHTML",
        values: { mode: mode },
      });
    }

    function autosave() {
      if (saving || changes === savedAt) {
        return;
      }
      saving = true;
      var carried = changes;
      post("autosave").then(
        function () {
          savedAt = carried;
          saving = false;
        },
        function () {
          saving = false;
        }
      );
    }

    form.addEventListener("input", function () {
      changes += 1;
      window.clearTimeout(checkTimer);
      checkTimer = window.setTimeout(function () {
        post("check");
      }, CHECK_DELAY_MS);
    });
    form.addEventListener("focusout", function (event) {
      if (event.target.matches("input, textarea, select")) {
        autosave();
      }
    });
    window.setInterval(autosave, AUTOSAVE_EVERY_MS);
    // What "Lưu bản nháp" saved needs no automatic save after it.
    form.addEventListener("submit", function () {
      savedAt = changes;
    });

    var note = form.querySelector("[data-autosave-note]");
    if (note) {
      note.hidden = false;
    }
    var print = form.querySelector("[data-print]");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () {
        window.print();
      });
    }
    // Browsers without field-sizing: each text grows to its whole length on paper, and back after.
    window.addEventListener("beforeprint", function () {
      form.querySelectorAll("textarea").forEach(function (area) {
        area.dataset.screenHeight = area.style.height;
        area.style.height = area.scrollHeight + "px";
      });
    });
    window.addEventListener("afterprint", function () {
      form.querySelectorAll("textarea").forEach(function (area) {
        area.style.height = area.dataset.screenHeight || "";
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
