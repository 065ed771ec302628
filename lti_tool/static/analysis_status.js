/* While a dossier version is being analysed (by the worker, outside the web request), ask
   the server every few seconds whether it is done; then say so in the status region (which
   screen readers announce) with a link to the report. The page is never reloaded under the
   user's feet. Without JavaScript, the region's « Actualiser » link does the same. */
(function () {
  "use strict";
  var region = document.querySelector("[data-poll]");
  if (!region || !window.fetch) { return; }
  var tries = 0;

  function done() {
    var link = document.createElement("a");
    link.href = window.location.pathname + "#rapport";
    link.textContent = region.dataset.link;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.reload();
    });
    var text = document.createElement("p");
    text.textContent = region.dataset.ready + " ";
    text.appendChild(link);
    region.replaceChildren(text);
  }

  function ask() {
    tries += 1;
    fetch(region.dataset.poll, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && !state.pending) { done(); return; }
        if (tries < 200) { window.setTimeout(ask, 3000); }
      })
      .catch(function () { if (tries < 200) { window.setTimeout(ask, 3000); } });
  }

  window.setTimeout(ask, 2000);
})();
