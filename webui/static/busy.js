// A button with data-busy says so once its form is sent, and cannot be pressed again: an
// import of a large file takes seconds, and a second press sent the file twice.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var button = e.submitter;
    if (!button || !button.dataset || !button.dataset.busy) { return; }
    // after the other listeners (a confirmation may still cancel), and after the browser took
    // the button's own name and value into the form's data
    setTimeout(function () {
      if (e.defaultPrevented) { return; }
      button.disabled = true;
      button.textContent = button.dataset.busy;
      button.setAttribute("aria-busy", "true");
    }, 0);
  });
})();
