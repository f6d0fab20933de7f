/* The sandbox card iframe: answers the parent page's "tokenize" like Moneris' HT page.
   Only a page of our own origin may ask (the response headers allow no other framer).
   It also tells the parent how tall its fields are, so that none hides below the fold. */
(function () {
  "use strict";

  var form = document.getElementById("card-form");

  function answerWith(target, answer) {
    target.postMessage(JSON.stringify(answer), window.location.origin);
  }

  function markFields(answer) {
    var messages = answer.fieldErrors || {};
    form.querySelectorAll(".error").forEach(function (slot) {
      var input = document.querySelector('[aria-describedby="' + slot.id + '"]');
      var wrong = Object.prototype.hasOwnProperty.call(messages, slot.dataset.code);
      slot.textContent = wrong ? messages[slot.dataset.code] : "";
      input.setAttribute("aria-invalid", wrong ? "true" : "false");
    });
  }

  function reportHeight() {
    if (window.parent !== window) {
      var height = form.getBoundingClientRect().bottom + window.scrollY + 8;
      answerWith(window.parent, { frameHeight: height });
    }
  }

  if (window.ResizeObserver) {
    new ResizeObserver(reportHeight).observe(form);
  }
  reportHeight();

  form.addEventListener("submit", function (event) {
    // Enter in a field must not leave the page: the parent's own button submits.
    event.preventDefault();
  });

  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin) {
      return;
    }
    if (event.data === "measure") {
      reportHeight();
      return;
    }
    if (event.data !== "tokenize") {
      return;
    }
    var target = event.source;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        // 429: too many card tries; its JSON says when to try again, like a refusal.
        if (!response.ok && response.status !== 429) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (answer) {
        markFields(answer);
        answerWith(target, answer);
      })
      .catch(function () {
        answerWith(target, {
          responseCode: ["940"],
          dataKey: null,
          bin: null,
          errorMessage: form.dataset.networkError,
        });
      });
  });
})();
