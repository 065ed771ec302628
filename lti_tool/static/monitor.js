/* Trainer monitoring: refresh the table every 15 s without reloading the page (keeps focus). */
(function () {
  "use strict";
  var table = document.getElementById("monitor");
  if (!table) { return; }
  var status = document.getElementById("monitor-status");
  var T = JSON.parse(document.getElementById("monitor-messages").textContent);
  var labels = { not_started: T.not_started, in_progress: T.in_progress, submitted: T.submitted };
  function fmt(s) { return s === null ? "—" : Math.floor(s / 60) + " min " + ("0" + (s % 60)).slice(-2) + " s"; }
  function refresh() {
    fetch(table.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (rows) {
      rows.forEach(function (row) {
        var tr = table.querySelector('tr[data-user="' + row.user_id + '"]');
        if (!tr) { return; }
        tr.querySelector(".c-status").textContent = labels[row.status] || row.status;
        tr.querySelector(".c-remaining").textContent = fmt(row.remaining_seconds);
        tr.querySelector(".c-answered").textContent = row.answered + (row.total ? " / " + row.total : "");
        tr.querySelector(".c-flagged").textContent = row.flagged;
      });
      status.textContent = T.refreshed;
    }).catch(function () { status.textContent = T.refresh_failed; });
  }
  document.getElementById("refresh").addEventListener("click", refresh);
  setInterval(refresh, 15000);
})();
