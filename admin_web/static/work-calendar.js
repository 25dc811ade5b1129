// The calendar grid: an administrator clicks a day (or presses Enter on it) to fill the «Add a day»
// form with that date. Without JavaScript the form is typed by hand.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("f-day");
  const form = document.getElementById("day-form");
  if (!input || !form || !document.getElementById("add-day")) return;
  const pick = (cell) => {
    input.value = cell.dataset.date;
    form.scrollIntoView({ block: "center" });
    input.focus();
  };
  for (const cell of document.querySelectorAll(".wc-day[role='button']")) {
    cell.addEventListener("click", () => pick(cell));
    cell.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pick(cell);
      }
    });
  }
});
