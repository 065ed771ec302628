/* Tell the platform that registration is finished (LTI Dynamic Registration). */
(function () {
  "use strict";
  function close() {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
  var button = document.getElementById("close");
  if (button) { button.addEventListener("click", close); }
  setTimeout(close, 1500);
})();
