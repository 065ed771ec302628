/* A slow form (upload, then analysis on the server): while the request runs, the button is
   disabled (no second upload), a progress bar shows and a status message is announced.
   The button gets aria-disabled rather than disabled so the keyboard focus stays on it.
   A file over the size limit is refused before it is sent. Without JavaScript the form
   still works, with the browser's own loading indicator. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    var status = document.getElementById(form.dataset.busy);
    var button = form.querySelector("button[type=submit]");
    var input = form.querySelector("input[type=file]");
    var bar = form.querySelector("progress");
    var max = parseInt(form.dataset.maxBytes || "0", 10);
    var busy = false;

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("status-err", Boolean(isError));
    }

    function reset() {
      busy = false;
      form.removeAttribute("aria-busy");
      button.removeAttribute("aria-disabled");
      if (bar) { bar.hidden = true; }
    }

    form.addEventListener("submit", function (event) {
      if (busy) { event.preventDefault(); return; }
      var file = input && input.files && input.files[0];
      if (file && max && file.size > max) {
        event.preventDefault();
        say(form.dataset.tooBig, true);
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      if (input) { input.removeAttribute("aria-invalid"); }
      busy = true;
      form.setAttribute("aria-busy", "true");
      button.setAttribute("aria-disabled", "true");
      if (bar) { bar.hidden = false; }
      say(form.dataset.busyMessage, false);
    });

    // Coming back with the browser's back button shows the page as it was left: usable again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { reset(); say("", false); }
    });
  });
})();
