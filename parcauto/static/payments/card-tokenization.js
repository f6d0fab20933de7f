/* Parent side of the card iframe (Moneris Hosted Tokenization, or our sandbox's copy).

   On submit of the form around payments/card_frame.html, when the card is the chosen
   method (radio name="payment_method" value="card", or always when there is no such
   radio) and card_token is still empty: post "tokenize" to the iframe, accept the
   answer only from data-origin, put the temporary token in card_token and submit again.
   A refusal is shown in the partial's live region, which takes the focus. One
   tokenization at a time: clicks while it runs, or after the final submit, do nothing.
   The sandbox's page also says how tall its fields are ({"frameHeight": n}, not a
   Moneris message): the iframe grows to show them all, error messages included. */
(function () {
  "use strict";

  var ANSWER_TIMEOUT_MS = 20000;

  function setUp(box) {
    var form = box.closest("form");
    var frame = box.querySelector("[data-card-iframe]");
    var errorBox = box.querySelector("[data-card-error]");
    var status = box.querySelector("[data-card-status]");
    var origin = box.dataset.origin;
    if (!form || !frame || box.dataset.ready) {
      return;
    }
    box.dataset.ready = "1";
    var tokenInput = form.querySelector('input[name="card_token"]');
    var state = "idle"; // idle -> tokenizing -> submitting
    var submitter = null;
    var timer = null;
    var letThrough = false; // our own requestSubmit, once the token is in

    function cardChosen() {
      if (!form.querySelector('input[name="payment_method"]')) {
        return true;
      }
      var chosen = form.querySelector('input[name="payment_method"]:checked');
      return chosen !== null && chosen.value === "card";
    }

    function showError(message) {
      window.clearTimeout(timer);
      state = "idle";
      status.textContent = "";
      errorBox.className = "card-frame-error alert alert-danger mt-2";
      errorBox.textContent = message;
      errorBox.focus();
    }

    function clearError() {
      errorBox.className = "card-frame-error";
      errorBox.textContent = "";
    }

    form.addEventListener("submit", function (event) {
      if (letThrough) {
        letThrough = false;
        return;
      }
      if (state !== "idle") {
        event.preventDefault(); // a second click while the first is under way
        return;
      }
      if (!cardChosen() || !tokenInput || tokenInput.value) {
        return;
      }
      event.preventDefault();
      state = "tokenizing";
      submitter = event.submitter || null;
      clearError();
      status.textContent = box.dataset.busyText;
      timer = window.setTimeout(function () {
        showError(box.dataset.timeoutError);
      }, ANSWER_TIMEOUT_MS);
      frame.contentWindow.postMessage("tokenize", new URL(frame.src, window.location.href).href);
    });

    if (origin === window.location.origin) {
      // Our sandbox (never Moneris, which might take any message for "tokenize"): ask
      // for its height once it is there, in case its own reports came too early.
      var measure = function () {
        frame.contentWindow.postMessage("measure", window.location.origin);
      };
      frame.addEventListener("load", measure);
      measure();
    }

    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) {
        return;
      }
      var answer;
      try {
        answer = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
      } catch (error) {
        return;
      }
      if (answer && typeof answer.frameHeight === "number") {
        frame.style.height = Math.ceil(answer.frameHeight) + "px";
        return;
      }
      if (state !== "tokenizing" || !answer) {
        return;
      }
      var codes = answer.responseCode || [];
      if (codes.length === 1 && codes[0] === "001" && answer.dataKey) {
        window.clearTimeout(timer);
        state = "submitting";
        tokenInput.value = answer.dataKey;
        letThrough = true;
        // requestSubmit keeps the clicked button's name and value, and runs validation.
        if (submitter && submitter.form === form) {
          form.requestSubmit(submitter);
        } else {
          form.requestSubmit();
        }
        if (letThrough) {
          // The browser's validation stopped it: the person fixes a field and retries.
          letThrough = false;
          state = "idle";
          status.textContent = "";
        }
        return;
      }
      showError(answer.errorMessage || box.dataset.defaultError);
    });

    // Coming back with the browser's Back button restores the page as it was left.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        state = "idle";
        if (tokenInput) {
          tokenInput.value = "";
        }
      }
    });
  }

  function setUpAll() {
    document.querySelectorAll("[data-card-frame]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
