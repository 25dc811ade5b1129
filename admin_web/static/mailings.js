// A mailing's live progress: polls its progress.json and updates the counts until it is sent.
// Without JavaScript the page reloads itself (a <noscript> refresh) instead.
(function () {
  "use strict";
  var box = document.getElementById("mailing-progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var status = document.getElementById("mailing-status");
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        Object.keys(data).forEach(function (key) {
          var cell = box.querySelector('[data-count="' + key + '"]');
          if (cell) { cell.textContent = String(data[key]); }
        });
        if (status && data.status_label) {
          status.textContent = data.status_label;
          status.className = "badge status-" + data.status;
        }
        if (data.status === "sending") { window.setTimeout(tick, 2000); }
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1000);
})();
