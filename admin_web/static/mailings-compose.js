// The mailing's text field gets a small toolbar of Telegram's formatting: the selected words are
// wrapped in <b>, <i>, <u>, <s>, <code>, <blockquote> or a link. Without JavaScript people type the
// same tags by hand (the hint under the field lists them); the server checks them either way.
(function () {
  "use strict";
  var area = document.getElementById("f-body");
  var bar = document.getElementById("format-bar");
  if (!area || !bar) { return; }
  function wrap(open, close) {
    var start = area.selectionStart, end = area.selectionEnd, text = area.value;
    var chosen = text.slice(start, end);
    area.value = text.slice(0, start) + open + chosen + close + text.slice(end);
    area.focus();
    // The words stay selected inside their new tags, so a second button can be pressed at once.
    area.setSelectionRange(start + open.length, start + open.length + chosen.length);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
  bar.hidden = false;
  bar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-tag]");
    if (!button) { return; }
    event.preventDefault();
    var tag = button.getAttribute("data-tag");
    if (tag === "a") {
      var address = window.prompt(bar.getAttribute("data-ask-link"), "https://");
      if (!address || !/^https?:\/\/\S+$/i.test(address)) { return; }
      wrap('<a href="' + address.replace(/"/g, "%22") + '">', "</a>");
    } else {
      wrap("<" + tag + ">", "</" + tag + ">");
    }
  });
})();
