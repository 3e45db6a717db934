// meetingsec: the little JavaScript every page shares. Messages come translated from the
// server (data attributes), so this file holds no user-visible text.
(function () {
  "use strict";
  function banner(kind) {
    var el = document.getElementById("net-status");
    if (!el) return;
    if (!kind) { el.hidden = true; el.textContent = ""; return; }
    el.textContent = el.dataset[kind];
    el.hidden = false;
  }
  // The request never reached the server (Wi-Fi dropped, server down): say so at once.
  document.addEventListener("htmx:sendError", function () { banner("offline"); });
  document.addEventListener("htmx:timeout", function () { banner("offline"); });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.successful || (e.detail.xhr && e.detail.xhr.status)) banner(null);
  });
  // A form sent back with errors: focus the first field that has one (the error is beside
  // it), so a long page never comes back at the top with the error off-screen.
  function focusFirstError(root) {
    var field = root.querySelector('[aria-invalid="true"]');
    if (!field) return;
    field.focus({preventScroll: true});
    field.scrollIntoView({block: "center"});
  }
  // On "load": after the browser has scrolled to the address's #fragment (which resets focus).
  window.addEventListener("load", function () { focusFirstError(document); });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target) focusFirstError(e.detail.target);  // (none when history is restored)
  });
  // The header's language switch returns to the page as it is now: an htmx answer may have
  // moved the address on (a card after a scan) without drawing the header again.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList && form.classList.contains("langswitch") && form.elements.next) {
      form.elements.next.value = location.pathname + location.search;
    }
  });
  // "Other pages" in the header is a <details>: like any menu, a tap elsewhere or Escape closes it.
  function closeMenus(except) {
    document.querySelectorAll("details.navmore[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }
  document.addEventListener("click", function (e) {
    closeMenus(e.target.closest ? e.target.closest("details.navmore") : null);
  });
  document.addEventListener("keydown", function (e) {
    var open = document.querySelector("details.navmore[open]");
    if (e.key !== "Escape" || !open) return;
    closeMenus(null);
    open.querySelector("summary").focus();
  });
  window.addEventListener("offline", function () { banner("offline"); });
  window.addEventListener("online", function () { banner(null); });
})();
