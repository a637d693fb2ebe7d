// Dispute decisions: show the score an amendment would leave before it is recorded.
// A preview only: the server computes and checks the real figure.
(function () {
  "use strict";
  function cents(text) {
    var t = String(text || "").trim();
    if (!/^-?\d+(\.\d{1,2})?$/.test(t)) { return null; }
    var parts = t.replace("-", "").split(".");
    var value = parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
    return t.charAt(0) === "-" ? -value : value;
  }
  function show(value) {
    var sign = value < 0 ? "-" : "";
    var v = Math.abs(value);
    return sign + Math.floor(v / 100) + "." + String(v % 100).padStart(2, "0");
  }
  function update(input) {
    var form = input.form;
    var preview = form.querySelector(".preview");
    var now = cents(input.dataset.now);
    var typed = cents(input.value);
    if (now === null || typed === null) { preview.textContent = ""; return; }
    var after = typed;
    if (input.dataset.kind === "deduction") {
      var cut = cents(input.dataset.cut);
      if (cut === null) { preview.textContent = ""; return; }
      after = now - (typed - cut);
    }
    var text = "按此变更，得分将由 " + show(now) + " 变为 " + show(after) + "。";
    if (after < now) { text += "得分降低，对提出异议的一方不利，须勾选确认。"; }
    preview.textContent = text;
  }
  document.querySelectorAll("form.decide input[name=points][data-now]").forEach(function (input) {
    input.addEventListener("input", function () { update(input); });
    update(input);
  });
})();
