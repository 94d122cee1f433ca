// The discovery source form: show only the fields of the chosen kind (without this script both show).
(function () {
  "use strict";
  var select = document.getElementById("f-kind");
  if (!select) return;
  var sets = document.querySelectorAll(".kind-fields");

  function show() {
    for (var i = 0; i < sets.length; i++) {
      sets[i].hidden = sets[i].getAttribute("data-kind") !== select.value;
    }
  }

  select.addEventListener("change", show);
  show();
})();
