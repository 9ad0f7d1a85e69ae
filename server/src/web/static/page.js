// Small behaviours every page may use, from a script file so that the strict content
// policy (no inline scripts) holds: a print button, and a confirmation before forms that
// cannot be undone (remote wipe).
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
