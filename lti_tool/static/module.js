/* Remember the last section reached so the trainee resumes there. */
(function () {
  "use strict";
  var article = document.querySelector("article.module");
  if (!article || !("IntersectionObserver" in window)) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var last = null;
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting && entry.target.id && entry.target.id !== last) {
        last = entry.target.id;
        fetch(article.dataset.sectionUrl, { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ anchor: last }) }).catch(function () {});
      }
    });
  }, { threshold: 0.5 });
  article.querySelectorAll("h2[id]").forEach(function (h) { observer.observe(h); });
  // Back on a question just answered (#fb-…): its feedback, after the options, is focused.
  if (location.hash) { var t = document.querySelector(location.hash); if (t && t.focus) { t.focus(); } }
})();
