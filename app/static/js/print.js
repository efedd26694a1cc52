// The "Print or save as PDF" button: shown only when scripts run (the CSP allows no inline
// handlers); without JavaScript the page says to use the browser's Print menu instead.
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
