// The print button of the missing pack: the browser's own print dialog (the page has
// print styles). A script file rather than an inline handler, so a strict policy allows it.
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
