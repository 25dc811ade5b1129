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
