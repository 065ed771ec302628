/* Times in the reader's own zone, the zone named (issue 15, point 5). The server writes
   <time datetime="…Z" data-local="medium|short">… UTC</time>: correct without script too. */
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) { return; }
  var lang = document.documentElement.lang || "fr";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var base = { hour: "2-digit", minute: "2-digit" };
  var styles = {
    medium: Object.assign({ year: "numeric", month: "short", day: "numeric" }, base),
    short: Object.assign({ year: "2-digit", month: "2-digit", day: "2-digit" }, base)
  };
  function localise(root) {
    (root || document).querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      var options = styles[el.dataset.local] || styles.medium;
      var text = new Intl.DateTimeFormat(lang, options).format(when);
      el.textContent = zone ? text + " (" + zone + ")" : text;
      el.title = el.getAttribute("datetime");
    });
  }
  window.bilanLocaltime = localise;
  localise(document);
})();
