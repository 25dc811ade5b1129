// "Copy" buttons next to read-only fields: <button data-copy="input-id">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  if (!input) return;
  input.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).catch(() => document.execCommand("copy"));
  } else {
    document.execCommand("copy");
  }
});

// The menu: the phone "Menu" button folds the whole menu; a group's dropdown (<details>) closes
// when another opens, on Escape and on a click elsewhere. Without this script the groups still
// open and close (nojs.css keeps the phone menu open).
(() => {
  const nav = document.getElementById("main-nav");
  const toggle = document.getElementById("nav-toggle");
  if (!nav) return;
  const groups = () => nav.querySelectorAll("details.nav-group");
  const closeGroups = (except) => groups().forEach((g) => { if (g !== except) g.open = false; });
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  nav.addEventListener("toggle", (event) => {
    if (event.target.open) closeGroups(event.target);
  }, true);
  document.addEventListener("click", (event) => {
    if (!nav.contains(event.target)) closeGroups(null);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = nav.querySelector("details.nav-group[open]");
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
})();

// Wide tables scroll inside their own box instead of pushing the page sideways: each panel table
// not already in a ".scroll" box gets one. (Without JavaScript, app.css makes a table its own
// scroller on narrow screens.)
document.querySelectorAll("table.table").forEach((table) => {
  if (table.parentElement.classList.contains("scroll")) return;
  const box = document.createElement("div");
  box.className = "scroll";
  table.before(box);
  box.append(table);
});
