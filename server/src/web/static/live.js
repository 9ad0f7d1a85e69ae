// Live updates without reloading: the server sends a hint over Server-Sent Events when a
// case or an alert document this person may see changes; the page then fetches itself
// again and swaps its <main>. Focus and scroll position stay where they were.
(function () {
  "use strict";
  var main = document.querySelector("main[data-live]");
  var status = document.querySelector(".live-state");
  if (!main || !window.EventSource) { return; }
  var pending = null;
  var generation = 0;
  function say(on) { if (status) { status.textContent = status.dataset[on ? "on" : "off"]; } }
  // Someone typing in a form of the page keeps what they typed: the refresh waits until
  // they leave the field.
  function typing() {
    var el = document.activeElement;
    return el && main.contains(el) && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }
  var deferred = false;
  main.addEventListener("focusout", function () {
    if (deferred) { deferred = false; setTimeout(refresh, 0); }
  });
  function refresh() {
    if (typing()) { deferred = true; return; }
    var mine = ++generation;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live-Refresh": "1" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (mine !== generation) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
        if (!fresh) { return; }
        var focused = document.activeElement && document.activeElement.id;
        main.innerHTML = fresh.innerHTML;
        main.dataset.refreshed = String(Number(main.dataset.refreshed || 0) + 1);
        if (focused) { var el = document.getElementById(focused); if (el) { el.focus(); } }
      })
      .catch(function () { say(false); });
  }
  var source = new EventSource("/web/live");
  source.addEventListener("open", function () { say(true); });
  source.addEventListener("changed", function () {
    // Several changes in a burst cause one refresh.
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(refresh, 250);
  });
  source.addEventListener("error", function () { say(false); });
})();
