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
  var LABELS = {
    ru: {
      title: "Обращения за ", received: "Поступило", registered: "Зарегистрировано", in_work: "На рассмотрении",
      answered: "Рассмотрено, дан ответ", redirected: "Направлено по компетенции",
      left_without_answer: "Оставлено без ответа", extended: "Срок продлён", sections: "Вопросы по разделам классификатора",
      error: "Данные недоступны"
    },
    en: {
      title: "Appeals in ", received: "Received", registered: "Registered", in_work: "In work",
      answered: "Considered, answered", redirected: "Redirected by competence",
      left_without_answer: "Left without an answer", extended: "Deadline extended", sections: "Questions by classifier section",
      error: "Figures are not available"
    }
  };
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

  function render(host, data, words) {
    host.textContent = "";
    var main = table(words.title + data.period);
    FIGURES.forEach(function (name) { row(main.tBodies[0], words[name], data[name]); });
    host.appendChild(main);
    if (data.by_section && data.by_section.length) {
      var sections = table(words.sections);
      data.by_section.forEach(function (s) {
        row(sections.tBodies[0], s.code + (s.name ? " " + s.name : ""), s.questions);
      });
      host.appendChild(sections);
    }
  }

  function load(host) {
    var words = LABELS[host.getAttribute("data-lang")] || LABELS.ru;
    var url = host.getAttribute("data-porucheno-counter");
    var year = host.getAttribute("data-year");
    var month = host.getAttribute("data-month");
    if (year && month) {
      url += (url.indexOf("?") < 0 ? "?" : "&") + "year=" + encodeURIComponent(year) + "&month=" + encodeURIComponent(month);
    }
    fetch(url, { credentials: "omit" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { render(host, data, words); })
      .catch(function () { host.textContent = words.error; });
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
