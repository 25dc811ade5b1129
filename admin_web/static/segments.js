// The segment builder's live count: on every change of a filter, ask /segments/count with the form's
// fields and show the number and the first members. No library: fetch and a few DOM calls.
(function () {
  "use strict";
  var form = document.getElementById("segment-form");
  if (!form) return;
  var countEl = document.getElementById("segment-count");
  var errorEl = document.getElementById("segment-count-error");
  var preview = document.querySelector("#segment-preview tbody");
  var withContacts = document.querySelectorAll("#segment-preview thead th").length > 2;
  var timer = null;
  var seq = 0;

  function params() {
    var data = new FormData(form);
    var query = new URLSearchParams();
    data.forEach(function (value, key) {
      if (key !== "csrf_token" && key !== "name" && key !== "description") query.append(key, value);
    });
    return query.toString();
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function show(body) {
    countEl.textContent = body.count_text;
    countEl.setAttribute("data-count", body.count);
    errorEl.hidden = true;
    preview.textContent = "";
    body.members.forEach(function (m) {
      var row = document.createElement("tr");
      var link = document.createElement("a");
      link.href = form.getAttribute("data-card-url") + m.id;
      link.textContent = m.name;
      cell(row, "").appendChild(link);
      if (withContacts) {
        cell(row, m.telegram ? "✓" : "");
        cell(row, m.email || "");
      }
      cell(row, m.consent);
      preview.appendChild(row);
    });
  }

  function refresh() {
    var mine = ++seq;
    fetch(form.getAttribute("data-count-url") + "?" + params(), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (mine !== seq) return; // a newer change already asked
        if (body.error) {
          errorEl.textContent = body.error;
          errorEl.hidden = false;
          countEl.setAttribute("data-count", "");
        } else {
          show(body);
        }
      })
      .catch(function () { /* offline: the count stays; saving still works */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener("change", later);
  form.addEventListener("input", later);
  if (countEl.getAttribute("data-count") === "") refresh();
})();
