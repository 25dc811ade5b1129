// The classifier code picker: an <input list="classifier-codes"> whose datalist is filled from the
// panel's JSON search as one types (a code's start or a word of its name). The server re-checks
// whatever is submitted.
(() => {
  const list = document.getElementById("classifier-codes");
  if (!list) return;
  const prefilled = Array.from(list.options).map((o) => o.cloneNode(true));
  let timer = null;
  let seq = 0;

  async function search(q) {
    const mine = ++seq;
    if (q.length < 2) {
      list.replaceChildren(...prefilled.map((o) => o.cloneNode(true)));
      return;
    }
    const url = list.dataset.search + "?q=" + encodeURIComponent(q);
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok || mine !== seq) return;
    const data = await response.json();
    if (mine !== seq) return;
    list.replaceChildren(
      ...data.items.map((item) => {
        const option = document.createElement("option");
        option.value = item.code;
        option.textContent = item.name;
        return option;
      }),
    );
  }

  document.querySelectorAll('input[list="classifier-codes"]').forEach((input) => {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => search(input.value.trim()), 200);
    });
  });
})();
