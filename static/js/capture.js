// Capture page: keyboard-friendly account type-ahead. No inline scripts (CSP).
(function () {
  "use strict";

  function results() { return document.getElementById("account-results"); }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-typeahead]")) return;
    var box = results();
    var options = box ? box.querySelectorAll("[role=option]") : [];
    if (event.key === "Enter") {
      // Enter picks the first match instead of submitting a half-filled form.
      event.preventDefault();
      if (options.length) options[0].click();
    } else if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[0].focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    var option = event.target;
    if (!option.matches || !option.matches("#account-results [role=option]")) return;
    if (event.key === "ArrowDown" && option.nextElementSibling) {
      event.preventDefault();
      option.nextElementSibling.focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (option.previousElementSibling || document.getElementById("id_account_query")).focus();
    } else if (event.key === "Escape") {
      document.getElementById("id_account_query").focus();
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "account-results") {
      var input = document.getElementById("id_account_query");
      if (input) input.setAttribute("aria-expanded", target.children.length ? "true" : "false");
    }
  });

  // After an account is picked, carry on with the contact's name.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "account-field") {
      var next = elt.querySelector(".picked-account") ? document.getElementById("id_contact_name")
                                                       : document.getElementById("id_account_query");
      if (next) next.focus();
    }
  });
})();
