/* LTI Client Side postMessage storage (lti.put_data / lti.get_data), used where the
   platform sends lti_storage_target: the browser binding of the OIDC state is kept in the
   platform's frame instead of a third-party cookie. Origin checked both ways. */
(function () {
  "use strict";
  var box = document.getElementById("lti-storage");
  if (!box) { return; }
  var d = box.dataset;
  var target = d.target === "_parent" ? window.parent : window.parent.frames[d.target];
  var messageId = "m" + Math.random().toString(36).slice(2);
  var done = false;

  function finish(value) {
    if (done) { return; }
    done = true;
    if (d.mode === "put") {
      window.location.replace(d.next);
      return;
    }
    var form = document.getElementById("lti-storage-form");
    form.elements.lti_storage_value.value = value || "";
    form.submit();
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== d.origin) { return; }
    var data = event.data || {};
    if (data.message_id !== messageId) { return; }
    if (data.subject === "lti.put_data.response" || data.subject === "lti.get_data.response") {
      finish(data.error ? "" : data.value);
    }
  });
  if (!target) { finish(""); return; }
  var message = { subject: "lti." + d.mode + "_data", message_id: messageId, key: d.key };
  if (d.mode === "put") { message.value = d.value; }
  target.postMessage(message, d.origin);
  // A platform that offered the storage but never answers: go on without it. At launch ("get")
  // the value is the only binding left: giving up early (3 s did, on a loaded machine, while
  // the platform's answer was on its way) ends on « ouvrir dans une nouvelle fenêtre ».
  setTimeout(function () { finish(""); }, d.mode === "get" ? 15000 : 3000);
})();
