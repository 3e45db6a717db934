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
  window.addEventListener("offline", function () { banner("offline"); });
  window.addEventListener("online", function () { banner(null); });
})();
