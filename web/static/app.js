// Progressive enhancement only: every form works without this file. It shows the running
// remainder of the Allocation editor while invoices are ticked and amounts typed, written as the
// page writes amounts ("SGD 1,234.50"), and holds the form back while it is below zero.
(function () {
  "use strict";
  var form = document.getElementById("allocate-form");
  if (!form) { return; }
  var total = parseInt(form.getAttribute("data-unallocated"), 10);
  var digits = parseInt(form.getAttribute("data-digits"), 10);
  var currency = form.getAttribute("data-currency");
  var button = form.querySelector("button[type=submit]");
  var out = document.getElementById("remainder");
  function minor(s) {
    var m = /^(\d+)(?:\.(\d+))?$/.exec(s.trim());
    if (!m || (m[2] || "").length > digits) { return NaN; }
    var frac = (m[2] || "").padEnd(digits, "0");
    return parseInt(m[1] + frac, 10);
  }
  function show(n) {
    var neg = n < 0; n = Math.abs(n);
    var s = String(n).padStart(digits + 1, "0");
    var whole = s.slice(0, s.length - digits), frac = s.slice(s.length - digits);
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return currency + " " + (neg ? "−" : "") + whole + (digits > 0 ? "." + frac : "");
  }
  function update() {
    var left = total, bad = false;
    form.querySelectorAll("input[name=invoice]").forEach(function (box) {
      if (!box.checked) { return; }
      var amt = form.querySelector("input[name='amount_" + box.value + "']");
      var n = minor(amt ? amt.value : "");
      if (isNaN(n)) { bad = true; } else { left -= n; }
    });
    out.textContent = bad ? "check the amounts" : show(left) + (left < 0 ? " — more than the payment has unallocated" : "");
    out.parentNode.hidden = false;
    out.parentNode.classList.toggle("over", left < 0);
    if (button) { button.disabled = left < 0; }
  }
  // A row's "rest" controls matter only once it is ticked: shown then, out of the way before.
  function rests() {
    form.querySelectorAll("input[name=invoice]").forEach(function (box) {
      var rest = box.closest("tr").querySelector(".settle-rest");
      if (rest) { rest.hidden = !box.checked; }
    });
  }
  form.addEventListener("change", rests);
  rests();
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();

// A form sent back with errors: the summary at the top lists them, and the first field at fault
// takes the focus, so that a keyboard or screen-reader user starts where the fix is.
(function () {
  "use strict";
  var first = document.querySelector("form [aria-invalid=true]");
  if (first && document.getElementById("error-summary")) { first.focus(); }
})();

// The payment form's currency follows the customer chosen, whose billing currency it almost
// always is (it can still be changed).
(function () {
  "use strict";
  var org = document.getElementById("organization_id");
  var cur = document.getElementById("currency");
  if (!org || !cur || cur.tagName !== "SELECT") { return; }
  org.addEventListener("change", function () {
    var chosen = org.options[org.selectedIndex];
    var c = chosen && chosen.getAttribute("data-currency");
    if (c) { cur.value = c; }
  });
})();
