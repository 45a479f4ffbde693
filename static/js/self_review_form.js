/*
 * The bản kiểm điểm as the member writes it (templates/includes/review_self_form.html):
 * - the "Kiểm tra trước khi nộp" panel follows the typing: a moment after the last key, the draft as typed goes to
 *   the edit address in "check" mode and the portal answers with the panel from its own checks (nothing saved);
 * - the draft saves itself every half minute when something changed, and when a changed field is left
 *   ("autosave" mode: the same service as "Lưu bản nháp", one line in the history for a sitting of writing);
 * - "In bản nháp" prints the page as a document (static/css/self_review_print.css), every text in full.
 * Without JavaScript the page works as before: "Lưu bản nháp" saves and checks. The portal stays the judge at
 * submission either way. The quiet requests go by fetch, so that an answer arriving after the member's own "Lưu bản
 * nháp" or "Nộp" (sent by htmx) is dropped rather than shown over theirs.
 */
(function () {
  "use strict";

  var CHECK_DELAY_MS = 700;
  var AUTOSAVE_EVERY_MS = 30000;

  function init() {
    var form = document.querySelector("form[data-live-check]");
    if (!form || !window.fetch || !document.getElementById("self-review-check")) {
      return;
    }
    var panel = document.getElementById("self-review-check");
    var status = document.getElementById("self-review-status");
    var changes = 0; // edits since the page opened
    var savedAt = 0; // the number of edits the last save carried
    var sent = 0; // quiet requests sent; an answer older than the member's own save or submit is dropped
    var ownRequestAt = 0;
    var saving = false;
    var checkTimer = null;

    // The panel, and the status line the answer carries out of band (templates/includes/review_self_check.html).
    function show(html) {
      var answer = document.createElement("template");
      answer.innerHTML = html;
      var line = answer.content.querySelector("[hx-swap-oob]");
      if (line) {
        line.remove();
        if (status) {
          status.textContent = line.textContent;
        }
      }
      panel.replaceChildren(answer.content);
    }

    function post(mode) {
      sent += 1;
      var number = sent;
      var data = new FormData(form);
      data.append("mode", mode);
      return window
        .fetch(form.getAttribute("action"), {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "HX-Request": "true" },
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.statusText);
          }
          return response.text();
        })
        .then(function (html) {
          if (number > ownRequestAt) {
            show(html);
          }
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
          savedAt = Math.max(savedAt, carried);
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
        post("check").catch(function () {});
      }, CHECK_DELAY_MS);
    });
    form.addEventListener("focusout", function (event) {
      // Leaving a field for one of the form's buttons: the button saves (or submits) what is on screen.
      var next = event.relatedTarget;
      if (next && next.form === form && next.type === "submit") {
        return;
      }
      if (event.target.matches("input, textarea, select")) {
        autosave();
      }
    });
    window.setInterval(autosave, AUTOSAVE_EVERY_MS);
    // "Lưu bản nháp" and "Nộp" carry what is on screen: nothing quiet still on its way may overwrite their answer.
    form.addEventListener("submit", function () {
      window.clearTimeout(checkTimer);
      ownRequestAt = sent;
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
