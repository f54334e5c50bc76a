// Buttons with data-confirm ask before their form is sent.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var button = e.submitter || e.target.querySelector("button[data-confirm]");
    if (button && button.dataset && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      e.preventDefault();
    }
  });
})();
