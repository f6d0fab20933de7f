// A refused form comes back with its error summary (#form-errors, role="alert"): the focus
// moves there, so a screen reader reads it first and the keyboard goes on from the errors,
// not from the top of the page (WCAG 3.3.1, 2.4.3).
(() => {
  "use strict";
  const summary = document.getElementById("form-errors");
  if (!summary) return;
  if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
  summary.focus();
})();
