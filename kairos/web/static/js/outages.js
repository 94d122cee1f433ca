// Outage page: the "down since" durations of open outages count up every second.
(function () {
  "use strict";
  var counters = document.querySelectorAll(".js-since");
  if (!counters.length) return;
  function tick() {
    var now = Date.now();
    counters.forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(since)) el.textContent = Kairos.fmt.duration((now - since) / 1000);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
