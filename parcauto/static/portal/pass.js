// The access card page: "Print my card", and the service worker that keeps the card for
// when the phone has no signal (pass-sw.js).
(function () {
  "use strict";
  var button = document.querySelector("[data-pass-print]");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
  var page = document.querySelector("[data-pass-offline]");
  if (page && "serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(page.getAttribute("data-pass-offline"), { scope: "/abonnements/" })
      .catch(function () { /* no offline copy: the page still works online */ });
  }
})();
