// The reply form's answer templates: picking one fills the text area (the text stays editable).
document.addEventListener("DOMContentLoaded", () => {
  for (const picker of document.querySelectorAll("select[data-fills]")) {
    picker.addEventListener("change", () => {
      const target = document.getElementById(picker.dataset.fills);
      const option = picker.selectedOptions[0];
      if (target && option && option.dataset.text) {
        target.value = option.dataset.text;
        target.focus();
      }
    });
  }
});
