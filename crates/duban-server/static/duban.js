// The little script Duban has: a print button; on the entry form the suggested lead units and
// the lead unit's people for 责任人; a confirmation before a withdrawal. Everything works
// without JavaScript.
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
  // 责任人 is someone of the lead unit: each item's list offers that unit's people once the
  // lead unit is known (all people otherwise; the server checks either way).
  var everyone = document.getElementById("people-choices");
  if (everyone) document.querySelectorAll("fieldset.item").forEach(function (item, i) {
    var lead = item.querySelector(".entry-lead");
    var who = item.querySelector("input[name^='responsible.']");
    if (!lead || !who) return;
    var own = document.createElement("datalist");
    own.id = "people-choices-" + i;
    item.appendChild(own);
    function refresh() {
      var names = lead.value.split(/[、，,；;]/).map(function (s) { return s.trim(); }).filter(Boolean);
      own.textContent = "";
      Array.prototype.forEach.call(everyone.options, function (o) {
        if (names.some(function (n) { return o.value.endsWith("（" + n + "）"); })) own.appendChild(o.cloneNode(true));
      });
      who.setAttribute("list", own.options.length ? own.id : "people-choices");
    }
    lead.addEventListener("input", refresh);
    lead.addEventListener("change", refresh);
    refresh();
  });
});

// A deleting, deactivating or withdrawing button (or form) asks once more (the form's 确认 box asks without JavaScript).
document.addEventListener("submit", function (e) {
  var b = e.submitter;
  var ask = (b && b.getAttribute("data-confirm")) || (e.target && e.target.getAttribute && e.target.getAttribute("data-confirm"));
  if (ask && !window.confirm(ask)) { e.preventDefault(); }
});
