// The little script Duban has: a print button, the suggested lead units on the entry form and
// a confirmation before a withdrawal. Everything works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
});

// 新建任务: the suggested lead units (top 3) as the officer types a title, and a suggestion
// taken into the lead-unit field with a click. Without JavaScript the button 推荐牵头单位 and
// the suggestions' own buttons do the same through the server.
document.addEventListener("DOMContentLoaded", function () {
  function pickInto(item, name) {
    var lead = item.querySelector(".entry-lead");
    if (lead) { lead.value = name; lead.dispatchEvent(new Event("change")); }
  }
  document.querySelectorAll("fieldset.item").forEach(function (item) {
    var title = item.querySelector(".entry-title");
    var picks = item.querySelector(".picks");
    if (!title || !picks) return;
    var timer = null;
    var asked = "";
    function ask() {
      var text = title.value.trim();
      var more = item.querySelector("textarea");
      if (more && more.value.trim()) text += " " + more.value.trim();
      if (text.length < 2 || text === asked) return;
      asked = text;
      fetch("/api/v1/suggest?text=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (list) {
          if (asked !== text) return;
          picks.textContent = "";
          list.slice(0, 3).forEach(function (s) {
            var b = document.createElement("button");
            b.type = "button";
            b.className = "pick secondary";
            b.textContent = s.name;
            b.dataset.name = s.name;
            picks.appendChild(b);
          });
        })
        .catch(function () {});
    }
    title.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 300); });
    picks.addEventListener("click", function (e) {
      var b = e.target.closest(".pick");
      if (!b) return;
      e.preventDefault();
      pickInto(item, b.dataset.name);
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });
});
