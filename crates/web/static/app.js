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
    // "Gửi": checked here by the form's rule set (the server's, see rules.js), then
    // kept on the phone (IndexedDB) BEFORE it is sent with an Idempotency-Key. If the
    // connection is down, it waits ("chưa gửi — sẽ tự gửi khi có mạng") and goes when
    // it comes back; a retry never stores two. Without IndexedDB or the rule set, the
    // plain form post (as without JavaScript).
    var rulesEl = document.getElementById("report-rules");
    var rules = null;
    try { rules = rulesEl ? JSON.parse(rulesEl.textContent) : null; } catch (e) { rules = null; }
    var submitUrl = form.getAttribute("data-submit-url");
    var bypass = false;
    // Sending the form while an autosave is on its way would send the version the page
    // had before it (a "conflict" with oneself): wait for the autosave, take the version
    // it got, then send.
    form.addEventListener("submit", function (ev) {
      clearTimeout(timer);
      var submitter = ev.submitter;
      var submitting = submitter && submitter.name === "action" && submitter.value === "submit";
      if (!bypass && submitting && rules && window.PhongtraoRules && window.Outbox && submitUrl) {
        ev.preventDefault();
        var input = collect(form);
        var result = window.PhongtraoRules.evaluate(rules, input);
        showProblems(form, result, lang);
        if (!result.ok) return;
        (pending || Promise.resolve()).then(function () {
          var item = { key: key, url: submitUrl, page: location.pathname + location.search, version: parseInt(versionInput.value, 10) || 0,
                       input: collect(form), idem: window.Outbox.newKey(), pressed_at: new Date().toISOString(), csrf: csrf,
                       title: (document.querySelector("h1") || {}).textContent || "" };
          return window.Outbox.put(item).then(function () {
            try { localStorage.removeItem(key); } catch (e) {}
            return window.Outbox.send(item);
          });
        }).catch(function () { /* no IndexedDB: the plain post */ bypass = true; if (typeof form.requestSubmit === "function") form.requestSubmit(submitter); else form.submit(); });
        return;
      }
      if (pending && !bypass) {
        ev.preventDefault();
        if (sending) return;
        sending = true;
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
    // A refused report (invalid for the server, or the period locked) goes back to
    // the page as a plain post: the server's page shows why, and what was typed.
    form.addEventListener("outbox:refused", function (ev) {
      bypass = true;
      var at = ev.detail && ev.detail.pressed_at;
      if (at) {
        var h = form.querySelector("input[name=pressed_at]") || document.createElement("input");
        h.type = "hidden"; h.name = "pressed_at"; h.value = at; form.appendChild(h);
      }
      var b = form.querySelector("#submit-report");
      if (b && typeof form.requestSubmit === "function") form.requestSubmit(b); else if (b) b.click();
    });
  });
  // The rule set's errors beside their fields and in a list at the top of the form.
  function showProblems(form, result, lang) {
    form.querySelectorAll(".client-error").forEach(function (e) { e.remove(); });
    form.querySelectorAll("[aria-invalid=true][data-client]").forEach(function (e) { e.removeAttribute("aria-invalid"); e.removeAttribute("data-client"); });
    var box = document.getElementById("client-errors");
    if (box) box.remove();
    if (result.ok && result.warnings.length === 0) return;
    box = document.createElement("article");
    box.id = "client-errors"; box.className = "notices client-error"; box.setAttribute("role", result.ok ? "status" : "alert");
    var h = document.createElement("h2");
    h.textContent = result.ok ? (lang === "vi" ? "Lưu ý" : "Please note") : (lang === "vi" ? "Báo cáo chưa hợp lệ" : "The report is not valid");
    box.appendChild(h);
    var ul = document.createElement("ul");
    result.errors.concat(result.warnings).forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = lang === "vi" ? p.message_vi : p.message_en;
      li.setAttribute("data-field", p.field); li.setAttribute("data-code", p.code);
      ul.appendChild(li);
      var m = /^values\.(.+)$/.exec(p.field), a = /^activities\[(\d+)\]\.(\w+)$/.exec(p.field);
      var el = m ? form.elements["v." + m[1]] : a ? form.elements["a." + a[1] + "." + a[2]] : form.elements[p.field];
      if (el && el.nodeType === 1 && result.errors.indexOf(p) >= 0) {
        el.setAttribute("aria-invalid", "true"); el.setAttribute("data-client", "1");
        var small = document.createElement("small");
        small.className = "error client-error"; small.textContent = li.textContent;
        (el.closest("label") || el).insertAdjacentElement("afterend", small);
      }
    });
    box.appendChild(ul);
    form.insertBefore(box, form.firstChild);
    if (!result.ok) box.scrollIntoView({ block: "start" });
  }
})();

// The outbox: reports sent with "Gửi" wait here (IndexedDB, kept when the page or the
// phone restarts) until the server has them. Sent again on load, when the connection
// returns and every 20 s; each keeps its Idempotency-Key, so a retry never stores
// two. A newer version on the server (someone changed the report meanwhile): the
// differences are shown and the reporter chooses.
(function () {
  "use strict";
  if (!window.indexedDB || !window.fetch || !window.Promise) return;
  var vi = document.documentElement.lang !== "en";
  var T = {
    waiting: vi ? "Chưa gửi — sẽ tự gửi khi có mạng" : "Not sent yet — it will be sent when back online",
    waitingHelp: vi ? "Báo cáo được giữ trên máy này. Đừng xóa dữ liệu trình duyệt trước khi báo cáo được gửi." : "The report is kept on this device. Do not clear the browser's data before it is sent.",
    sending: vi ? "Đang gửi…" : "Sending…",
    sent: vi ? "Đã gửi báo cáo lúc " : "Report sent at ",
    conflict: vi ? "Báo cáo trên máy chủ đã thay đổi trong lúc bạn mất kết nối" : "The report on the server changed while you were offline",
    conflictHelp: vi ? "Xem khác biệt rồi chọn bản cần giữ." : "See the differences, then choose which to keep.",
    field: vi ? "Mục" : "Field", mine: vi ? "Bản trên máy này" : "On this device", theirs: vi ? "Bản trên máy chủ" : "On the server",
    keepMine: vi ? "Gửi bản trên máy này" : "Send the version on this device",
    keepTheirs: vi ? "Giữ bản trên máy chủ" : "Keep the server's version",
    login: vi ? "Phiên đăng nhập đã hết: đăng nhập lại, báo cáo vẫn được giữ và sẽ tự gửi." : "Your session ended: log in again; the report is kept and will be sent.",
    leave: vi ? "Còn báo cáo chưa gửi trên máy này." : "A report on this device is not sent yet."
  };
  var dbp = null;
  function db() {
    if (!dbp) dbp = new Promise(function (resolve, reject) {
      var r = indexedDB.open("phongtrao", 1);
      r.onupgradeneeded = function () { r.result.createObjectStore("outbox", { keyPath: "key" }); };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
    return dbp;
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction("outbox", mode), store = t.objectStore("outbox"), out = fn(store);
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function put(item) {
    // Ask the browser not to evict what waits here when space runs low.
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    return tx("readwrite", function (s) { return s.put(item); }).then(update);
  }
  function remove(key) { return tx("readwrite", function (s) { return s.delete(key); }).then(update); }
  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function csrfNow(item) { var el = document.querySelector("input[name=csrf]"); return el ? el.value : item.csrf; }
  var inFlight = {};
  // Sends one waiting report; resolves when the server answered (or not).
  function send(item) {
    if (inFlight[item.key]) return inFlight[item.key];
    status(item, "sending");
    var p = fetch(item.url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfNow(item), "Idempotency-Key": item.idem },
      // The time "Gửi" was pressed here: the office may let it decide the deadline.
      body: JSON.stringify({ version: item.version, input: item.input, pressed_at: item.pressed_at || null }) })
      .then(function (r) { return r.json().catch(function () { return null; }).then(function (body) { return { status: r.status, ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (res.ok) {
          return remove(item.key).then(function () {
            var here = document.getElementById("report-form");
            if (here && here.getAttribute("data-storage-key") === item.key) {
              var u = new URL(item.page, location.href); u.searchParams.set("saved", "submit"); location.replace(u.toString());
            }
            else status(item, "sent");
          });
        }
        if (res.status === 409 && res.body && res.body.current && res.body.current.version !== item.version) {
          item.conflict = res.body.current;
          return put(item).then(function () { status(item, "conflict"); });
        }
        if (res.status === 401 || res.status === 403) { status(item, "login"); return; }
        if (res.status >= 500) { status(item, "waiting"); return; }
        // Refused for good (invalid, locked, closed): the page shows why, with what was typed.
        return remove(item.key).then(function () {
          var here = document.getElementById("report-form");
          if (here && here.getAttribute("data-storage-key") === item.key) here.dispatchEvent(new CustomEvent("outbox:refused", { detail: { pressed_at: item.pressed_at } }));
        });
      })
      .catch(function () { status(item, "waiting"); })
      .then(function () { delete inFlight[item.key]; });
    inFlight[item.key] = p;
    return p;
  }
  function flush() { return all().then(function (items) { return Promise.all(items.filter(function (i) { return !i.conflict; }).map(send)); }).catch(function () {}); }

  // What the page shows of waiting reports: a note at the top of <main>.
  function box() {
    var b = document.getElementById("outbox");
    if (!b) {
      b = document.createElement("article");
      b.id = "outbox"; b.className = "notices outbox"; b.setAttribute("role", "status");
      var main = document.querySelector("main") || document.body;
      main.insertBefore(b, main.firstChild);
    }
    return b;
  }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }
  function status(item, what) {
    var b = box(), line = b.querySelector('[data-key="' + item.key + '"]');
    if (!line) { line = el("div"); line.setAttribute("data-key", item.key); b.appendChild(line); }
    line.textContent = "";
    line.setAttribute("data-state", what);
    if (what === "sent") { var d = new Date(); line.appendChild(el("p", T.sent + ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2), "success")); return; }
    var head = el("p"); head.appendChild(el("strong", item.title ? item.title + ": " : "")); head.appendChild(el("span", what === "sending" ? T.sending : what === "conflict" ? T.conflict : what === "login" ? T.login : T.waiting, "pending-text"));
    line.appendChild(head);
    if (what === "waiting" || what === "sending") line.appendChild(el("small", T.waitingHelp));
    if (what === "conflict") showDiff(line, item);
  }
  function showDiff(line, item) {
    line.appendChild(el("p", T.conflictHelp));
    var theirs = item.conflict.draft || {}, mine = item.input, rows = [];
    var labels = {};
    document.querySelectorAll("#report-form label[for^='v-']").forEach(function (l) { labels[l.getAttribute("for").slice(2)] = l.textContent.trim(); });
    var keys = Object.keys(mine.values || {}).concat(Object.keys(theirs.values || {})).filter(function (k, i, a) { return a.indexOf(k) === i; }).sort();
    keys.forEach(function (k) {
      var a = String((mine.values || {})[k] || "").trim(), b = String((theirs.values || {})[k] || "").trim();
      if ((a || "0") !== (b || "0")) rows.push([labels[k] || k, a, b]);
    });
    [["highlights", vi ? "Điểm nổi bật" : "Highlights"], ["difficulties", vi ? "Khó khăn" : "Difficulties"], ["proposals", vi ? "Đề xuất" : "Proposals"]].forEach(function (n) {
      var a = String(mine[n[0]] || "").trim(), b = String(theirs[n[0]] || "").trim();
      if (a !== b) rows.push([n[1], a, b]);
    });
    var ma = (mine.activities || []).map(function (x) { return x.title; }).join("; "), ta = (theirs.activities || []).map(function (x) { return x.title; }).join("; ");
    if (ma !== ta) rows.push([vi ? "Hoạt động" : "Activities", ma, ta]);
    var table = el("table", "", "outbox-diff"), thead = el("thead"), tr = el("tr");
    [T.field, T.mine, T.theirs].forEach(function (t) { tr.appendChild(el("th", t)); });
    thead.appendChild(tr); table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (r) { var row = el("tr"); r.forEach(function (c) { row.appendChild(el("td", c)); }); tbody.appendChild(row); });
    table.appendChild(tbody); line.appendChild(table);
    var actions = el("div", "", "form-actions");
    var keepTheirs = el("button", T.keepTheirs, "secondary"); keepTheirs.type = "button"; keepTheirs.id = "outbox-keep-theirs";
    var keepMine = el("button", T.keepMine); keepMine.type = "button"; keepMine.id = "outbox-keep-mine";
    keepTheirs.addEventListener("click", function () { remove(item.key).then(function () { location.replace(item.page.split("?")[0]); }); });
    keepMine.addEventListener("click", function () {
      // Sent on top of the server's version, with a new key (another request).
      item.version = item.conflict.version; item.idem = newKey(); delete item.conflict;
      put(item).then(function () { return send(item); });
    });
    actions.appendChild(keepTheirs); actions.appendChild(keepMine); line.appendChild(actions);
  }
  var waiting = 0;
  function update() { return all().then(function (items) { waiting = items.length; return items; }).catch(function () {}); }
  window.Outbox = { put: put, send: send, newKey: newKey, all: all };
  document.addEventListener("DOMContentLoaded", function () {
    all().then(function (items) {
      waiting = items.length;
      items.forEach(function (i) { status(i, i.conflict ? "conflict" : "waiting"); });
      flush();
    }).catch(function () {});
    window.addEventListener("online", flush);
    setInterval(function () { if (waiting > 0) flush(); }, 20000);
  });
})();

// Installable and offline (service worker): the reporter's home, this week's form
// and last week's report are kept on the phone. Logging out forgets them.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector("form[action='/logout']")) return;
    navigator.serviceWorker.register("/static/sw.js", { scope: "/" }).then(function () { return navigator.serviceWorker.ready; }).then(function (reg) {
      var keep = ["/home"];
      document.querySelectorAll("#open-next, .report-lines a").forEach(function (a, i) { if (i < 3) keep.push(a.getAttribute("href")); });
      if (reg.active) reg.active.postMessage({ keep: keep });
    }).catch(function () {});
    var out = document.querySelector("form[action='/logout']");
    out.addEventListener("submit", function () {
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ forget: true });
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

// Evidence photos made smaller on the phone before upload (low data on a weak link):
// a picture over 1600 px on its long side or over 500 KB is redrawn at most 1600 px,
// JPEG quality 0.8, and put in place of the chosen file (the form is sent as without
// JavaScript; the server still checks and resizes it). Not when "giữ vị trí" is
// ticked: the original goes, so that the server can read where it was taken. The
// sizes before and after are shown.
(function () {
  "use strict";
  if (!window.DataTransfer || !window.Promise || !window.HTMLCanvasElement || !HTMLCanvasElement.prototype.toBlob) return;
  var MAX = 1600, BIG = 500 * 1024, QUALITY = 0.8;
  var vi = document.documentElement.lang !== "en";
  function size(n) {
    var t = n >= 1024 * 1024 ? (n / 1024 / 1024).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
    return vi ? t.replace(".", ",") : t;
  }
  function decode(file) {
    if (window.createImageBitmap) return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return createImageBitmap(file); });
    return new Promise(function (resolve, reject) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }
  function shrink(file) {
    return decode(file).then(function (img) {
      var w = img.width, h = img.height, scale = Math.min(1, MAX / Math.max(w, h));
      var cw = Math.max(1, Math.round(w * scale)), ch = Math.max(1, Math.round(h * scale));
      var canvas = document.createElement("canvas");
      canvas.width = cw; canvas.height = ch;
      var g = canvas.getContext("2d");
      g.fillStyle = "#fff"; g.fillRect(0, 0, cw, ch); // a transparent PNG on white, as JPEG has no transparency
      g.drawImage(img, 0, 0, cw, ch);
      if (img.close) img.close();
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); })
        .then(function (blob) { return { blob: blob, from: [w, h], to: [cw, ch] }; });
    });
  }
  function setFile(input, file) { var dt = new DataTransfer(); dt.items.add(file); input.files = dt.files; }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.evidence-upload").forEach(function (form) {
      var input = form.querySelector("input[type=file]"), keep = form.querySelector("input[name=keep_location]");
      if (!input) return;
      var note = document.createElement("small");
      note.className = "resize-note"; note.setAttribute("aria-live", "polite"); note.hidden = true;
      input.insertAdjacentElement("afterend", note);
      var original = null, busy = null;
      function show(text, before, after) {
        note.textContent = text; note.hidden = !text;
        note.setAttribute("data-before", before || ""); note.setAttribute("data-after", after || "");
      }
      function run() {
        var file = original;
        if (!file || !/^image\//.test(file.type)) { show(""); busy = null; return; }
        if (keep && keep.checked) {
          setFile(input, file);
          show((vi ? "Gửi ảnh gốc (để giữ vị trí): " : "The original photo is sent (to keep the location): ") + size(file.size), file.size, file.size);
          busy = null; return;
        }
        show(vi ? "Đang thu nhỏ ảnh…" : "Making the photo smaller…");
        var p = busy = decode(file).then(function (img) {
          var w = img.width, h = img.height;
          if (img.close) img.close();
          if (Math.max(w, h) <= MAX && file.size <= BIG) return null;
          return shrink(file);
        }).then(function (r) {
          if (p !== busy) return; // another file chosen meanwhile
          if (!r || !r.blob || r.blob.size >= file.size) {
            setFile(input, file);
            show((vi ? "Ảnh gửi nguyên: " : "The photo is sent as it is: ") + size(file.size), file.size, file.size);
            return;
          }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          setFile(input, new File([r.blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
          show((vi ? "Ảnh được thu nhỏ trước khi gửi: " : "The photo is made smaller before sending: ") +
               r.from[0] + "×" + r.from[1] + ", " + size(file.size) + " → " + r.to[0] + "×" + r.to[1] + ", " + size(r.blob.size),
               file.size, r.blob.size);
        }).catch(function () {
          // Not readable here: sent as chosen, the server says what is wrong.
          if (p === busy) { setFile(input, file); show(""); }
        }).then(function () { if (p === busy) busy = null; });
      }
      input.addEventListener("change", function () { original = input.files && input.files[0] ? input.files[0] : null; run(); });
      if (keep) keep.addEventListener("change", run);
      form.addEventListener("submit", function (ev) {
        if (!busy) return;
        ev.preventDefault();
        var submitter = ev.submitter;
        busy.then(function () { if (typeof form.requestSubmit === "function") form.requestSubmit(submitter || undefined); else form.submit(); });
      });
    });
  });
})();
