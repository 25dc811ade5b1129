// «Points» rows of the new-assignment form: «Add a point» clones the template row with the next number.
(function () {
  "use strict";
  function setup() {
    var rows = document.getElementById("point-rows");
    var template = document.getElementById("point-template");
    var button = document.getElementById("add-point");
    if (!rows || !template || !button) return;
    button.addEventListener("click", function () {
      var numbers = Array.prototype.map.call(rows.querySelectorAll(".point-row"), function (row) {
        return parseInt(row.getAttribute("data-point"), 10) || 0;
      });
      var next = numbers.length ? Math.max.apply(null, numbers) + 1 : 1;
      var html = template.innerHTML.replace(/__N__/g, String(next));
      rows.insertAdjacentHTML("beforeend", html);
      var added = rows.lastElementChild;
      var title = added && added.querySelector("input");
      if (title) title.focus();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
