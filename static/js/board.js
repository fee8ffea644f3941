// Board: "select all on page" and a count of the selected rows. No inline scripts (CSP).
// Without JavaScript the same checkbox still works: the server reads it with the page's ids.
(function () {
  "use strict";

  function form() { return document.getElementById("bulk-form"); }

  function refresh() {
    var bulk = form();
    if (!bulk) return;
    var boxes = bulk.querySelectorAll("input[name=ideas]");
    var all = bulk.querySelector("[data-select-all]");
    var checked = 0;
    boxes.forEach(function (box) { if (box.checked) checked += 1; });
    if (all) {
      // Checked only when every row is, so the server never widens a partial selection.
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    var count = document.getElementById("bulk-count");
    if (count) count.textContent = checked ? checked + " selected" : "";
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.form || input.form.id !== "bulk-form") return;
    if (input.matches("[data-select-all]")) {
      input.form.querySelectorAll("input[name=ideas]").forEach(function (box) {
        box.checked = input.checked;
      });
    }
    if (input.matches("[data-select-all], input[name=ideas]")) refresh();
  });

  document.addEventListener("DOMContentLoaded", refresh);
  // Browsers restore checkboxes on back/forward navigation.
  window.addEventListener("pageshow", refresh);
})();
