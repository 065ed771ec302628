/* Épreuve 1 : autosave (ordered, queued offline), server-synchronised countdown, summary.
   The server is the only judge of time and answers; this script only reports and retries. */
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var saveUrl = root.dataset.saveUrl, timeUrl = root.dataset.timeUrl, resultUrl = root.dataset.resultUrl;
  var pageVersion = parseInt(root.dataset.pageVersion, 10);
  var storeKey = "exam-queue-" + root.dataset.attempt + "-" + pageVersion;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var statusEl = document.getElementById("save-status");
  var timerEl = document.getElementById("timer");
  var announceEl = document.getElementById("time-announce");
  var staleEl = document.getElementById("stale");
  var seq = Date.now();               // increasing across reloads of the same page version
  var queue = loadQueue();            // item_id -> payload (latest per item only)
  var sending = false, stopped = false, retryDelay = 1000;
  // When saving first failed (performance.now()): the time lost is sent with the next save that
  // gets through (offline_ms), and the server records it as an incident if long (exam/incidents.py).
  var offlineSince = null;
  var deadlineAt = performance.now() + parseInt(root.dataset.remaining, 10) * 1000;
  var announced = {};
  // Messages in the page's language, from the template (<script type="application/json" id="exam-messages">).
  var T = JSON.parse(document.getElementById("exam-messages").textContent);
  // Plural forms: "key" (one) and "key_plural" (other), chosen by the page language's rule
  // (French: 0 and 1 take the singular).
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "fr") : null;
  function t(key, n) {
    var form = T[key + "_plural"] !== undefined && plurals && plurals.select(Number(n)) !== "one" ? key + "_plural" : key;
    return T[form].replace("{n}", n);
  }

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function persist() {
    try { localStorage.setItem(storeKey, JSON.stringify(queue)); } catch (e) { /* private mode */ }
  }
  // Every load of the page is a new page version (the server refuses the older ones as stale),
  // so answers still queued by an earlier load of this attempt (reloaded while offline, a
  // crashed tab...) would stay in its storage key, never sent. They are taken over here: per
  // item the latest one (largest seq, Date.now()-based) wins, sent with this page's version and
  // its own seq, so an answer given on this page since is never overwritten by an older one
  // (the server keeps the highest (page_version, seq) per item).
  function adoptEarlierQueues() {
    var prefix = "exam-queue-" + root.dataset.attempt + "-", adopted = [];
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (!key || key.indexOf(prefix) !== 0 || key === storeKey) { continue; }
        var version = parseInt(key.slice(prefix.length), 10);
        if (!(version < pageVersion)) { continue; }
        var older = JSON.parse(localStorage.getItem(key) || "{}");
        Object.keys(older).forEach(function (itemId) {
          var p = older[itemId];
          if (!p || typeof p.seq !== "number") { return; }
          if (!queue[itemId] || queue[itemId].seq < p.seq) {
            queue[itemId] = Object.assign({}, p, { page_version: pageVersion });
            adopted.push(itemId);
          }
        });
        localStorage.removeItem(key);
      }
    } catch (e) { /* private mode, or storage unreadable: nothing to take over */ }
    if (adopted.length) { persist(); }
    return adopted;
  }
  // The page shows what the server holds; an answer still queued is the candidate's latest.
  function showQueued(itemIds) {
    itemIds.forEach(function (itemId) {
      var payload = queue[itemId];
      var form = root.querySelector('form.exam-item[data-item="' + itemId.replace(/["\\]/g, "") + '"]');
      if (!payload || !form) { return; }
      form.querySelectorAll('input[name="choice"]').forEach(function (input) {
        input.checked = payload.choices.indexOf(input.value) !== -1;
      });
      var flag = form.querySelector('input[name="flagged"]');
      if (flag) { flag.checked = !!payload.flagged; }
      markNav(form, payload);
    });
  }
  function setStatus(text, cls) {
    statusEl.textContent = text;
    statusEl.className = "save-status " + (cls || "");
  }
  function pending() { return Object.keys(queue).length; }

  function collect(form) {
    var choices = [];
    form.querySelectorAll('input[name="choice"]').forEach(function (i) { if (i.checked) { choices.push(i.value); } });
    var flag = form.querySelector('input[name="flagged"]');
    return { item_id: form.dataset.item, choices: choices, flagged: !!(flag && flag.checked),
             page_version: pageVersion, seq: ++seq };
  }

  function markNav(form, payload) {
    var link = document.getElementById("nav-" + payload.item_id);
    if (!link) { return; }
    link.classList.toggle("answered", payload.choices.length > 0);
    link.classList.toggle("flagged", payload.flagged);
    var hidden = link.querySelector(".visually-hidden");
    if (hidden) { hidden.textContent = payload.choices.length ? " (" + T.answered + ")" : " (" + T.unanswered + ")"; }
  }

  function stop(message) {
    stopped = true;
    staleEl.textContent = message;
    staleEl.hidden = false;
    root.querySelectorAll("form.exam-item input").forEach(function (i) { i.disabled = true; });
    staleEl.focus && staleEl.setAttribute("tabindex", "-1");
  }

  function flush() {
    if (sending || stopped || !pending()) { return; }
    if (!navigator.onLine) {
      if (offlineSince === null) { offlineSince = performance.now(); }
      setStatus(t("offline", pending()), "status-warn");
      return;
    }
    sending = true;
    var itemId = Object.keys(queue)[0];
    var payload = queue[itemId];
    var sent = payload;
    if (offlineSince !== null) {
      sent = Object.assign({}, payload, { offline_ms: Math.round(performance.now() - offlineSince) });
    }
    setStatus(T.saving, "");
    fetch(saveUrl, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(sent) })
      .then(function (r) {
        // An HTML error page (proxy, expired session...) has no JSON: a failure like any other.
        return r.json().then(function (b) { return { status: r.status, body: b || {} }; },
                             function () { return { status: r.status, body: {} }; });
      })
      .then(function (res) {
        sending = false;
        var body = res.body;
        if (res.status === 200 && body.ok) {
          offlineSince = null;
          if (queue[itemId] && queue[itemId].seq === payload.seq) { delete queue[itemId]; persist(); }
          retryDelay = 1000;
          syncTime(body.remaining_seconds);
          if (pending()) { flush(); } else { setStatus(T.saved, "status-ok"); }
        } else if ((res.status === 409 || res.status === 410) && body.error) {
          // The attempt is over or the page is stale: nothing more can be saved from here.
          delete queue[itemId]; persist();
          stop(body.message);
          if (body.error === "late" || body.error === "submitted") {
            setTimeout(function () { window.location.assign(resultUrl); }, 4000);
          }
        } else if (res.status >= 400 && res.status < 500 && body.final === true) {
          // The server says this answer can never be saved (not one of the paper's choices...):
          // the only case where an answer leaves the queue unsaved.
          offlineSince = null;
          if (queue[itemId] && queue[itemId].seq === payload.seq) { delete queue[itemId]; persist(); }
          setStatus(body.message || T.refused, "status-err");
          flush();
        } else {
          // Anything else (4xx without the marker, 5xx, an error page): kept, retried later.
          retry(typeof body.message === "string" ? body.message : "", true);
        }
      })
      .catch(function () { sending = false; retry("", false); });
  }

  function retry(message, answered) {
    if (offlineSince === null) { offlineSince = performance.now(); }
    var text = t(answered ? "server_retrying" : "retrying", pending());
    setStatus(message ? message + " " + text : text, "status-warn");
    setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function syncTime(remainingSeconds) {
    if (typeof remainingSeconds === "number") { deadlineAt = performance.now() + remainingSeconds * 1000; }
  }

  function tick() {
    var left = Math.max(0, Math.round((deadlineAt - performance.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    timerEl.textContent = m + " min " + (s < 10 ? "0" : "") + s + " s";
    [30, 10, 5, 1].forEach(function (mark) {
      if (left <= mark * 60 && left > (mark * 60 - 5) && !announced[mark]) {
        announced[mark] = true;
        announceEl.textContent = mark > 1 ? t("minutes_left", mark) : T.one_minute_left;
      }
    });
    if (left === 0 && !announced.end) {
      announced.end = true;
      announceEl.textContent = T.time_up;
      flush();
      setTimeout(function () { window.location.assign(resultUrl); }, 3000);
    }
  }

  function summary() {
    var forms = root.querySelectorAll("form.exam-item");
    var unanswered = [], flagged = [];
    forms.forEach(function (f, i) {
      var p = collect(f); seq--;  // collect() must not consume sequence numbers here
      if (!p.choices.length) { unanswered.push(i + 1); }
      if (p.flagged) { flagged.push(i + 1); }
    });
    document.getElementById("summary-text").textContent =
      t("summary", forms.length - unanswered.length).replace("{total}", forms.length);
    var list = document.getElementById("summary-list");
    list.innerHTML = "";
    [[T.without_answer, unanswered], [T.flagged, flagged]].forEach(function (pair) {
      if (!pair[1].length) { return; }
      var li = document.createElement("li");
      li.appendChild(document.createTextNode(pair[0] + " : "));
      pair[1].forEach(function (n, k) {
        var a = document.createElement("a"); a.href = "#q-" + n; a.textContent = t("question", n);
        li.appendChild(a); if (k < pair[1].length - 1) { li.appendChild(document.createTextNode(", ")); }
      });
      list.appendChild(li);
    });
  }

  root.querySelectorAll("form.exam-item").forEach(function (form) {
    form.addEventListener("change", function () {
      if (stopped) { return; }
      var payload = collect(form);
      queue[payload.item_id] = payload;
      persist();
      markNav(form, payload);
      summary();
      flush();
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  });
  document.getElementById("submit-form").addEventListener("submit", function (e) {
    if (pending()) {
      e.preventDefault();
      setStatus(T.wait_before_submit, "status-warn");
      flush();
      return;
    }
    summary();
    var missing = document.getElementById("summary-list").children.length;
    if (missing && !window.confirm(T.confirm_submit)) {
      e.preventDefault();
    }
  });
  // Every in-page jump (question list, « retour à la liste », récapitulatif, skip links, the
  // summary's lists, built later): the keyboard focus follows, not only the scroll.
  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a[href^="#"]') : null;
    if (!a || !root.contains(a)) { return; }
    var target = document.getElementById(a.getAttribute("href").slice(1));
    if (target) { setTimeout(function () { target.focus(); }, 0); }
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { flush(); });
  setInterval(tick, 1000);
  setInterval(function () {
    if (!navigator.onLine || stopped) { return; }
    fetch(timeUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (b) { if (b.status === "submitted") { window.location.assign(resultUrl); } else { syncTime(b.remaining_seconds); } })
      .catch(function () {});
  }, 60000);
  adoptEarlierQueues();
  showQueued(Object.keys(queue));
  tick();
  summary();
  if (pending()) { flush(); }
})();
