// phongtrao: small enhancements; every page works without this file.
// Unit search: filter the tree as the user types (the form still submits without JS).
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-filter-target]");
    if (!input) return;
    var tree = document.getElementById(input.getAttribute("data-filter-target"));
    if (!tree) return;
    var items = Array.prototype.slice.call(tree.querySelectorAll("li[data-key]"));
    var empty = document.querySelector(".filter-empty");
    input.addEventListener("input", function () {
      var words = fold(input.value).split(" ").filter(Boolean);
      var shown = 0;
      items.forEach(function (li) { li.hidden = false; });
      if (words.length === 0) { if (empty) empty.hidden = true; return; }
      // A unit shows when it or one of its descendants matches.
      items.slice().reverse().forEach(function (li) {
        var key = li.getAttribute("data-key");
        var self = words.every(function (w) { return key.indexOf(w) >= 0; });
        var child = li.querySelector("li[data-key]:not([hidden])") !== null;
        li.hidden = !(self || child);
        if (self) shown++;
        var d = li.querySelector("details");
        if (d && child) d.open = true;
      });
      if (empty) empty.hidden = shown > 0;
    });
  });
})();
// Report form: keep the draft on this device as the user types, save it to the
// server every few seconds (same endpoint as the API), and offer to restore a copy
// that never reached the server (a lost connection). Counters on the narratives.
(function () {
  "use strict";
  function collect(form) {
    var input = { values: {}, activities: [], highlights: "", difficulties: "", proposals: "", confirm_above_base: false, nothing_to_report: false };
    var rows = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      var m;
      if ((m = /^v\.(.+)$/.exec(el.name))) input.values[m[1]] = el.value;
      else if ((m = /^a\.(\d+)\.(\w+)$/.exec(el.name))) { rows[m[1]] = rows[m[1]] || {}; rows[m[1]][m[2]] = el.value; }
      else if (el.name === "highlights" || el.name === "difficulties" || el.name === "proposals") input[el.name] = el.value;
      else if (el.name === "confirm_above_base") input.confirm_above_base = true;
      else if (el.name === "nothing_to_report") input.nothing_to_report = true;
    });
    Object.keys(rows).sort(function (a, b) { return a - b; }).forEach(function (k) {
      var r = rows[k];
      if (["title", "held_on", "place", "participants", "funds", "result"].some(function (f) { return (r[f] || "").trim() !== ""; })) input.activities.push(r);
    });
    return input;
  }
  // Puts the activities of a kept draft back into the rows of the form, adding rows
  // (copies of the last one) when the draft has more activities than the page.
  function activityRows(form) { return Array.prototype.slice.call(form.querySelectorAll("fieldset.activity")); }
  function restoreActivitiesOf(form, list) {
    var rows = activityRows(form);
    if (rows.length === 0) return;
    while (rows.length < list.length) {
      var last = rows[rows.length - 1], copy = last.cloneNode(true), n = rows.length;
      copy.removeAttribute("id");
      Array.prototype.forEach.call(copy.querySelectorAll("[name]"), function (el) {
        el.name = el.name.replace(/^a\.\d+\./, "a." + n + ".");
        if (el.type === "checkbox") el.checked = false; else if (el.tagName !== "SELECT") el.value = "";
      });
      Array.prototype.forEach.call(copy.querySelectorAll(".error"), function (e) { e.remove(); });
      var legend = copy.querySelector("legend");
      if (legend) legend.textContent = legend.textContent.replace(/\d+\s*$/, String(n + 1));
      last.parentNode.insertBefore(copy, last.nextSibling);
      rows.push(copy);
    }
    rows.forEach(function (row, i) {
      var a = list[i] || {};
      Array.prototype.forEach.call(row.querySelectorAll("[name]"), function (el) {
        var m = /^a\.\d+\.(\w+)$/.exec(el.name); if (!m) return;
        if (el.type === "checkbox") el.checked = a[m[1]] === el.value;
        else if (el.tagName === "SELECT") { if (a[m[1]]) el.value = a[m[1]]; }
        else el.value = a[m[1]] || "";
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-guide]").forEach(function (t) {
      var guide = parseInt(t.getAttribute("data-guide"), 10);
      var out = document.createElement("span");
      out.className = "length-count";
      t.parentNode.insertBefore(out, t.nextSibling);
      function update() { out.textContent = t.value.length + " / " + guide; out.classList.toggle("over", t.value.length > guide); }
      t.addEventListener("input", update); update();
    });
    var form = document.getElementById("report-form");
    if (!form || !form.getAttribute("data-autosave") || form.querySelector("fieldset[disabled]")) return;
    var url = form.getAttribute("data-autosave");
    var key = form.getAttribute("data-storage-key");
    var status = form.querySelector(".autosave-status");
    var csrf = form.querySelector("input[name=csrf]").value;
    var versionInput = form.querySelector("input[name=version]");
    var lang = document.documentElement.lang;
    var text = {
      saved: lang === "vi" ? "Đã tự lưu nháp lúc " : "Draft saved automatically at ",
      offline: lang === "vi" ? "Mất kết nối: bản nháp được giữ trên máy này và sẽ lưu khi có mạng." : "Offline: the draft is kept on this device and will be saved when back online.",
      restore: lang === "vi" ? "Khôi phục bản nháp chưa lưu trên máy này" : "Restore the unsaved draft from this device",
      conflict: lang === "vi" ? "Báo cáo vừa được lưu từ một trang hoặc thiết bị khác; hãy tải lại trang trước khi sửa tiếp." : "This report was just saved from another page or device; reload the page before going on."
    };
    try {
      var kept = JSON.parse(localStorage.getItem(key) || "null");
      if (kept && kept.pending && JSON.stringify(kept.input) !== JSON.stringify(collect(form))) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "secondary outline"; b.textContent = text.restore;
        b.addEventListener("click", function () {
          Object.keys(kept.input.values).forEach(function (k) {
            var el = form.elements["v." + k]; if (!el) return;
            if (el.type === "checkbox") el.checked = kept.input.values[k] === "1"; else el.value = kept.input.values[k];
          });
          ["highlights", "difficulties", "proposals"].forEach(function (n) { if (form.elements[n]) form.elements[n].value = kept.input[n] || ""; });
          ["confirm_above_base", "nothing_to_report"].forEach(function (n) { if (form.elements[n]) form.elements[n].checked = !!kept.input[n]; });
          restoreActivities(kept.input.activities || []);
          b.remove(); schedule();
        });
        form.insertBefore(b, form.firstChild);
      }
    } catch (e) { /* private mode: no local copy */ }
    function restoreActivities(list) { restoreActivitiesOf(form, list); }
    // `pending`: the autosave on its way, if any (a promise that settles when its answer,
    // and the version it gives, is known).
    var timer = null, busy = false, pending = null, sending = false;
    function save() {
      if (busy) { schedule(); return; }
      var input = collect(form);
      try { localStorage.setItem(key, JSON.stringify({ pending: true, input: input })); } catch (e) {}
      busy = true;
      pending = fetch(url, { method: "PUT", credentials: "same-origin", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
                   body: JSON.stringify({ version: parseInt(versionInput.value, 10) || 0, input: input }) })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); })
        .then(function (res) {
          busy = false;
          if (res.ok) {
            versionInput.value = res.body.version;
            try { localStorage.setItem(key, JSON.stringify({ pending: false, input: input })); } catch (e) {}
            var d = new Date();
            status.textContent = text.saved + ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
          } else if (res.status === 409) {
            status.textContent = text.conflict;
          } else {
            status.textContent = (res.body && res.body.error && (lang === "vi" ? res.body.error.message_vi : res.body.error.message_en)) || "";
          }
        })
        .catch(function () { busy = false; status.textContent = text.offline; })
        .then(function () { pending = null; });
    }
    function schedule() { clearTimeout(timer); timer = setTimeout(save, 2000); }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    window.addEventListener("online", schedule);
    // Sending the form while an autosave is on its way would send the version the page
    // had before it (a "conflict" with oneself): wait for the autosave, take the version
    // it got, then send.
    form.addEventListener("submit", function (ev) {
      clearTimeout(timer);
      if (pending) {
        ev.preventDefault();
        if (sending) return;
        sending = true;
        var submitter = ev.submitter;
        pending.then(function () {
          sending = false;
          if (typeof form.requestSubmit === "function") { form.requestSubmit(submitter || undefined); return; }
          if (submitter && submitter.name) {
            var h = document.createElement("input");
            h.type = "hidden"; h.name = submitter.name; h.value = submitter.value;
            form.appendChild(h);
          }
          form.submit();
        });
        return;
      }
      try { localStorage.removeItem(key); } catch (e) {}
    });
  });
})();

// The campaign switcher: choosing a campaign opens it (without JS, the "Chọn"
// button does the same).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[data-autosubmit]");
    if (!select || !select.form) return;
    select.form.classList.add("auto");
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();

// The plan editor (enhancement): each change is saved to the draft and checked by
// the server; the notes beside every field and the summary follow. Without
// JavaScript, "Lưu và kiểm tra" does the same.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-live-check]");
    if (!form || !window.fetch || !window.FormData) return;
    var url = form.getAttribute("data-live-check");
    var timer = null;
    var busy = false;
    function run() {
      if (busy) { timer = setTimeout(run, 400); return; }
      busy = true;
      var data = new URLSearchParams(new FormData(form));
      fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (checks) {
          if (!checks) return;
          form.querySelectorAll(".pe-notes").forEach(function (el) {
            var id = el.id.replace(/-notes$/, "");
            var notes = checks.fields[id] || [];
            el.textContent = "";
            notes.forEach(function (n) {
              var span = document.createElement("span");
              span.className = "error";
              span.textContent = n + " ";
              el.appendChild(span);
            });
            var box = el.closest(".pe-field");
            if (box) box.classList.toggle("has-error", notes.length > 0);
          });
          var summary = document.getElementById("pe-summary");
          if (summary && checks.valid) {
            summary.textContent = "";
            var p = document.createElement("p");
            p.className = "success";
            p.textContent = checks.summary;
            summary.appendChild(p);
          }
        })
        .catch(function () { /* offline: the buttons still save */ })
        .then(function () { busy = false; });
    }
    form.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 300);
    });
  });
})();
