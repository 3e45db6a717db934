// The scan component: a camera reading QR tags (barcode-detector on zxing-wasm, served by
// the app itself), beside a text input that takes a keyboard-wedge scanner or typing and
// submits on Enter. User-visible messages come translated in data attributes.
(function () {
  "use strict";
  var prepared = false;

  function say(box, key) {
    var status = box.querySelector(".scan-status");
    status.textContent = key ? box.dataset[key] : "";
    status.hidden = !key;
  }

  async function start(box) {
    var api = window.BarcodeDetectionAPI;
    var video = box.querySelector("video");
    var input = box.querySelector("input[name=code]");
    if (!api || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(box, "noCamera");
      return;
    }
    if (!prepared) {
      api.prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) {
            return path.endsWith(".wasm") ? box.dataset.wasm : prefix + path;
          }
        }
      });
      prepared = true;
    }
    var detector = new api.BarcodeDetector({ formats: ["qr_code"] });
    var stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (err) {
      say(box, "noCamera");
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    say(box, "scanning");
    await video.play();
    var stop = function () {
      stream.getTracks().forEach(function (t) { t.stop(); });
      video.hidden = true;
    };
    box.addEventListener("scan:stop", stop, { once: true });
    var tick = async function () {
      if (!stream.active) return;
      try {
        var found = await detector.detect(video);
        if (found.length) {
          stop();
          say(box, null);
          input.value = found[0].rawValue;
          input.form.requestSubmit();
          return;
        }
      } catch (err) { /* a frame that could not be read: try the next one */ }
      setTimeout(tick, 120);
    };
    tick();
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-scan-start]");
    if (!button) return;
    e.preventDefault();
    start(button.closest(".scan"));
  });
})();
