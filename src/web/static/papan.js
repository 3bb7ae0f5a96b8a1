// suratd's board: when letters move, fetch this page again and put its
// content in place, without a reload. The page works without this script.
// Every few seconds it asks /live how many changes the board has seen; it
// holds no connection open, so many tabs leave the browser free to load.
(function () {
  "use strict";
  if (!window.fetch || document.body.dataset.live !== "1") return;
  var EVERY = 2000;
  var seen = null, busy = false;
  function get(url) {
    // As a page asks: without a session the board answers with a redirect
    // to the login, where a program's request gets 401 and HTTP Basic (which
    // would open the browser's own password dialog over the page).
    var asks = { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } };
    return fetch(url, asks).then(function (r) {
      // Logged out, or the session ended: the page itself says what to do.
      if (r.redirected || !r.ok) { location.reload(); throw new Error("reload"); }
      return r.text();
    });
  }
  function refresh() {
    return get(location.href).then(function (text) {
      var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("isi");
      var here = document.getElementById("isi");
      if (fresh && here) here.replaceChildren.apply(here, Array.prototype.slice.call(fresh.childNodes));
      document.body.dataset.updated = String(Date.now());
    });
  }
  function look() {
    if (busy) return;
    busy = true;
    get("/live")
      .then(function (count) {
        var moved = seen !== null && count !== seen;
        seen = count;
        if (moved) return refresh();
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }
  look();
  setInterval(look, EVERY);
  document.addEventListener("visibilitychange", look);
})();
