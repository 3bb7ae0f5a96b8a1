// suratd's board: when letters move, fetch this page again and put its
// content in place, without a reload. The page works without this script.
(function () {
  "use strict";
  if (!window.EventSource || document.body.dataset.live !== "1") return;
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.redirected || !r.ok) { location.reload(); throw new Error("reload"); }
        return r.text();
      })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("isi");
        var here = document.getElementById("isi");
        if (fresh && here) here.replaceChildren.apply(here, Array.prototype.slice.call(fresh.childNodes));
        document.body.dataset.updated = String(Date.now());
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }
  var source = new EventSource("/live");
  source.addEventListener("changed", refresh);
})();
