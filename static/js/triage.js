// Review queue keyboard shortcuts (documented on the page). No inline scripts (CSP).
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".queue-row[data-open]")); }
  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".queue-row[data-open]") : null;
  }
  function typing(event) {
    var tag = event.target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable;
  }
  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(current());
    var next = list[Math.max(0, Math.min(list.length - 1, index === -1 ? 0 : index + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    var row = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o":
      case "Enter":
        if (row) window.location.href = row.getAttribute("data-open");
        break;
      case "m":
        if (row) window.location.href = row.getAttribute("data-merge");
        break;
      case "s":
        if (row) {
          var select = row.querySelector("[data-status]");
          if (select) { event.preventDefault(); select.focus(); }
        }
        break;
      case "?":
        var help = document.getElementById("shortcuts");
        if (help && window.bootstrap) window.bootstrap.Collapse.getOrCreateInstance(help).toggle();
        break;
      default: return;
    }
  });
})();
