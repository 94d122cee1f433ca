// The notification forms. Channel: show only the chosen service's fields (without this script every service
// shows and the server reads only the chosen one). Policy: a filter box over long checkbox lists.
(function () {
  "use strict";

  var select = document.getElementById("f-service");
  if (select) {
    var sets = document.querySelectorAll(".service-fields");
    var show = function () {
      for (var i = 0; i < sets.length; i++) {
        var off = sets[i].getAttribute("data-service") !== select.value;
        sets[i].hidden = off;
        sets[i].disabled = off; // a hidden service's fields are not sent
      }
    };
    select.addEventListener("change", show);
    show();
  }

  var filters = document.querySelectorAll("input[data-filter]");
  for (var j = 0; j < filters.length; j++) {
    (function (box) {
      var list = document.getElementById(box.getAttribute("data-filter"));
      if (!list) return;
      var items = list.querySelectorAll("[data-label]");
      var count = document.getElementById(box.id + "-count");
      box.addEventListener("input", function () {
        var needle = box.value.trim().toLowerCase();
        var shown = 0;
        for (var k = 0; k < items.length; k++) {
          var hit = !needle || items[k].getAttribute("data-label").indexOf(needle) !== -1;
          items[k].hidden = !hit;
          if (hit) shown++;
        }
        if (count) count.textContent = needle ? shown + " of " + items.length + " shown" : "";
      });
    })(filters[j]);
  }

  // Ticking a group or resource picks its scope, so a click is all it takes.
  var picks = document.querySelectorAll("input[data-scope]");
  for (var m = 0; m < picks.length; m++) {
    picks[m].addEventListener("change", function (e) {
      var radio = document.getElementById("f-scope-" + e.target.getAttribute("data-scope"));
      if (radio && e.target.checked) radio.checked = true;
    });
  }
})();
