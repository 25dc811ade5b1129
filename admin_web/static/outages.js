// Broadcast progress on an outage page: refreshed from a JSON endpoint while notices are pending.
(() => {
  const box = document.querySelector("[data-progress-url]");
  if (!box) return;
  const INTERVAL_MS = 3000;
  const FIELDS = ["sent", "pending", "failed", "blocked", "total"];

  const pending = () =>
    Array.from(box.querySelectorAll('[data-field="pending"]')).some((el) => el.textContent.trim() !== "0");

  const apply = (data) => {
    let unknown = false;
    for (const b of data.batches) {
      const el = Array.from(box.querySelectorAll("[data-batch]")).find((n) => n.dataset.batch === b.batch);
      if (!el) { unknown = true; continue; }
      for (const f of FIELDS) {
        const cell = el.querySelector(`[data-field="${f}"]`);
        if (cell) cell.textContent = String(b[f]);
      }
      const bar = el.querySelector("progress");
      if (bar) {
        bar.max = b.total || 1;
        bar.value = b.total - b.pending;
        bar.textContent = `${b.percent}%`;
      }
    }
    return unknown;
  };

  const tick = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      if (apply(data)) { window.location.reload(); return; } // a new batch: its block is server-rendered
      if (data.done) return;
    } catch (error) {
      // The network may blink; try again on the next tick.
    }
    window.setTimeout(tick, INTERVAL_MS);
  };

  if (pending()) window.setTimeout(tick, INTERVAL_MS);
})();
