// The little script Duban has: a print button. Everything else works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
});

// A deleting or deactivating button asks once more (the form's 确认 box asks without JavaScript).
document.addEventListener("submit", function (e) {
  var b = e.submitter;
  var ask = b && b.getAttribute("data-confirm");
  if (ask && !window.confirm(ask)) { e.preventDefault(); }
});
