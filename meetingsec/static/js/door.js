// The door: the signature pad, the device counters, and sending again after the Wi-Fi
// dropped. The signature lives in a hidden input (strokes as JSON) from the first stroke,
// so a failed request loses nothing and a retry sends exactly the same thing (same key).
(function () {
  "use strict";

  function initSignature(canvas) {
    if (canvas.dataset.ready || !window.SignaturePad) return;
    canvas.dataset.ready = "1";
    var input = document.getElementById(canvas.dataset.signature);
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var width = canvas.offsetWidth, height = canvas.offsetHeight;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    var pad = new window.SignaturePad(canvas, { penColor: "#000", minWidth: 0.8, maxWidth: 2.6 });
    var save = function () {
      input.value = pad.isEmpty() ? "" :
        JSON.stringify({ width: width, height: height, strokes: pad.toData() });
    };
    if (input.value) {
      try { pad.fromData(JSON.parse(input.value).strokes); } catch (e) { input.value = ""; }
    }
    pad.addEventListener("endStroke", save);
    var box = canvas.closest(".signature");
    var clear = box && box.querySelector("[data-signature-clear]");
    if (clear) clear.addEventListener("click", function () { pad.clear(); save(); });
  }

  function init(root) {
    root.querySelectorAll("canvas[data-signature]").forEach(initSignature);
  }

  document.addEventListener("click", function (e) {
    var step = e.target.closest("[data-step]");
    if (step) {
      var input = document.getElementById(step.dataset.for);
      var max = parseInt(input.max || "99", 10);
      var value = (parseInt(input.value || "0", 10) || 0) + parseInt(step.dataset.step, 10);
      input.value = Math.min(Math.max(value, 0), max);
      if (value > 0) {
        var none = input.form.querySelector("input[name=carries_none]");
        if (none) none.checked = false;
      }
      return;
    }
    var retry = e.target.closest("[data-retry]");
    if (retry) {
      var form = retry.closest("form");
      form.querySelector("[data-retry-box]").hidden = true;
      form.requestSubmit();
    }
  });

  document.addEventListener("change", function (e) {
    if (e.target.name === "carries_none" && e.target.checked) {
      e.target.form.querySelectorAll(".count-input").forEach(function (i) { i.value = 0; });
    }
  });

  function offline(e) {
    var form = e.target.closest && e.target.closest("[data-offline-form]");
    if (!form) return;
    var box = form.querySelector("[data-retry-box]");
    box.hidden = false;
    box.querySelector("[data-retry]").focus();
  }
  document.addEventListener("htmx:sendError", offline);
  document.addEventListener("htmx:timeout", offline);
  document.addEventListener("htmx:load", function (e) { init(e.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { init(document); });

  // After a check-in, the person's name and the claim tickets to hand over are in sight (on
  // a phone the focused scan field had scrolled them off the top); the scan field keeps the
  // focus, so the next scan goes on as before.
  function showDone() {
    var done = document.querySelector("#door-step section.done");
    if (done) done.scrollIntoView({block: "nearest"});
  }
  document.addEventListener("htmx:afterSettle", showDone);
  window.addEventListener("load", showDone);
})();
