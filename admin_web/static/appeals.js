// Correspondent autocomplete on the paper-letter form: asks the panel's JSON endpoint as the clerk
// types, and a picked record fills the hidden correspondent_id (the server re-checks it).
(() => {
  const set = document.getElementById("correspondent-set");
  if (!set) return;
  const find = document.getElementById("f-find");
  const results = document.getElementById("find-results");
  const empty = document.getElementById("find-empty");
  const hidden = document.getElementById("f-correspondent_id");
  const chosen = document.getElementById("chosen");
  const finder = document.getElementById("finder");
  let timer = null;
  let seq = 0;

  function choose(item) {
    hidden.value = String(item.id);
    document.getElementById("chosen-name").textContent = item.name;
    document.getElementById("chosen-details").textContent = item.details;
    chosen.hidden = false;
    finder.hidden = true;
  }

  document.getElementById("chosen-clear").addEventListener("click", () => {
    hidden.value = "";
    chosen.hidden = true;
    finder.hidden = false;
    find.focus();
  });

  async function lookup() {
    const q = find.value.trim();
    const mine = ++seq;
    results.replaceChildren();
    empty.hidden = true;
    if (q.length < 2) return;
    const url = set.dataset.lookup + "?q=" + encodeURIComponent(q);
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok || mine !== seq) return;
    const data = await response.json();
    if (mine !== seq) return;
    empty.hidden = data.items.length > 0;
    for (const item of data.items) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button small secondary";
      button.setAttribute("role", "option");
      button.textContent = item.name;
      button.addEventListener("click", () => choose(item));
      const details = document.createElement("span");
      details.className = "muted";
      details.textContent = item.details;
      li.append(button, details);
      results.append(li);
    }
  }

  find.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, 250);
  });
  find.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // Enter searches, it never submits the letter
  });
})();
