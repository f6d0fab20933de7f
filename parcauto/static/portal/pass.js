// The access card page: "Print my card".
(function () {
  "use strict";
  var button = document.querySelector("[data-pass-print]");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
