/* After a choice, move the focus to the new step so screen readers read it (feedback is a status). */
(function () {
  "use strict";
  if (location.hash === "#etape") {
    var step = document.getElementById("etape");
    if (step) { step.focus(); }
  }
})();
