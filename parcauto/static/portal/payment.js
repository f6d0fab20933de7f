// Payment step: only the chosen method's section shows (all of them without JavaScript).
// After a refused submission the error summary takes the focus (focus-errors.js).
(() => {
  "use strict";
  const form = document.querySelector("[data-payment-form]");
  if (!form) return;
  const sections = form.querySelectorAll("[data-method-section]");
  const hint = form.querySelector("[data-method-hint]");
  const show = () => {
    const chosen = form.querySelector("[data-method-radio]:checked");
    for (const section of sections) {
      section.hidden = !chosen || section.dataset.methodSection !== chosen.value;
    }
    if (hint) hint.hidden = Boolean(chosen);
  };
  for (const radio of form.querySelectorAll("[data-method-radio]")) {
    radio.addEventListener("change", show);
  }
  show();
})();
