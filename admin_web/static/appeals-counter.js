/* Porucheno appeals counter: renders the public figures into a host page (no dependencies).
 *
 *   <div data-porucheno-counter="https://appeals.example.ru/public/appeals/counter.json"
 *        data-lang="ru"></div>
 *   <script src="https://appeals.example.ru/static/appeals-counter.js" defer></script>
 *
 * Optional data-year / data-month pick a month (default: the current one). Text is set with
 * textContent only: nothing from the response is parsed as HTML.
 */
(function () {
  "use strict";
  // The words come with the figures (``?lang=``, translated by the service's catalogs); only the
  // message for a failed request, when there is no answer to take them from, lives here.
  var ERRORS = { ru: "Данные недоступны", en: "Figures are not available" };
  var FIGURES = ["received", "registered", "in_work", "answered", "redirected", "left_without_answer", "extended"];

  function row(tbody, label, value) {
    var tr = document.createElement("tr");
    var th = document.createElement("th");
    var td = document.createElement("td");
    th.scope = "row";
    th.textContent = label;
    td.textContent = String(value);
    tr.appendChild(th);
    tr.appendChild(td);
    tbody.appendChild(tr);
  }

  function table(caption) {
    var t = document.createElement("table");
    t.className = "porucheno-counter";
    var c = document.createElement("caption");
    c.textContent = caption;
    t.appendChild(c);
    t.appendChild(document.createElement("tbody"));
    return t;
  }

  function render(host, data) {
    var words = data.labels || {};
    host.textContent = "";
    var main = table(words.title || String(data.period));
    FIGURES.forEach(function (name) { row(main.tBodies[0], words[name] || name, data[name]); });
    host.appendChild(main);
    if (data.by_section && data.by_section.length) {
      var sections = table(words.sections || "");
      data.by_section.forEach(function (s) {
        row(sections.tBodies[0], s.code + (s.name ? " " + s.name : ""), s.questions);
      });
      host.appendChild(sections);
    }
  }

  function load(host) {
    var lang = host.getAttribute("data-lang") === "en" ? "en" : "ru";
    var url = host.getAttribute("data-porucheno-counter");
    url += (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + lang;
    var year = host.getAttribute("data-year");
    var month = host.getAttribute("data-month");
    if (year && month) {
      url += "&year=" + encodeURIComponent(year) + "&month=" + encodeURIComponent(month);
    }
    fetch(url, { credentials: "omit" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { render(host, data); })
      .catch(function () { host.textContent = ERRORS[lang]; });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-porucheno-counter]"), load);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
