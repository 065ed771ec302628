/* The editor: line numbers with error marks, live preview and checker (debounced), go to line. */
(function () {
  "use strict";
  var text = document.getElementById("text");
  if (!text) { return; }
  var gutter = document.getElementById("gutter");
  var preview = document.getElementById("preview");
  var summary = document.getElementById("check-summary");
  var list = document.getElementById("problems");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var errorLines = {};
  var timer = null;
  var sent = 0;

  function initialErrors() {
    list.querySelectorAll("button.goto-line").forEach(function (b) {
      var n = Number(b.dataset.line);
      errorLines[n] = (errorLines[n] ? errorLines[n] + " ; " : "") + b.parentNode.textContent;
    });
  }

  function drawGutter() {
    var count = text.value.split("\n").length;
    var html = [];
    for (var i = 1; i <= count; i += 1) {
      html.push('<div' + (errorLines[i] ? ' class="has-error" title="' + errorLines[i].replace(/"/g, "&quot;") + '"' : "") +
        ">" + (errorLines[i] ? "! " : "") + i + "</div>");
    }
    gutter.innerHTML = html.join("");
    gutter.scrollTop = text.scrollTop;
  }

  function goTo(line) {
    var lines = text.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i += 1) { start += lines[i].length + 1; }
    var end = start + (lines[line - 1] || "").length;
    text.focus();
    text.setSelectionRange(start, end);
    var lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 20;
    text.scrollTop = Math.max(0, (line - 3) * lineHeight);
    gutter.scrollTop = text.scrollTop;
  }

  function showProblems(problems) {
    errorLines = {};
    list.innerHTML = "";
    problems.forEach(function (p) {
      errorLines[p.line] = (errorLines[p.line] ? errorLines[p.line] + " ; " : "") + p.message;
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "goto-line";
      b.dataset.line = p.line;
      b.textContent = list.dataset.lineLabel.replace("%n", p.line);
      li.appendChild(b);
      li.appendChild(document.createTextNode(" : " + p.message));
      list.appendChild(li);
    });
    drawGutter();
  }

  function refresh() {
    var mine = ++sent;
    fetch(text.dataset.previewUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ text: text.value })
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data || mine !== sent) { return; }  // an older answer: a newer one is on its way
      preview.innerHTML = data.html;
      if (summary.textContent !== data.summary) { summary.textContent = data.summary; }
      showProblems(data.problems);
    }).catch(function () {});
  }

  list.addEventListener("click", function (event) {
    var b = event.target.closest("button.goto-line");
    if (b) { goTo(Number(b.dataset.line)); }
  });
  text.addEventListener("input", function () {
    drawGutter();
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });
  initialErrors();
  drawGutter();
})();
