// phongtrao: the report's rule set (built and sent by the server, the same data the
// server's own check evaluates: crates/domain/src/report/rules.rs) evaluated in the
// page, offline too. No rule lives here: only how to read numbers, amounts, dates and
// texts, kept in step with the Rust evaluator and proved equal on a corpus
// (crates/domain/tests/report_rules_corpus.rs runs this file with node).
(function (root) {
  "use strict";
  var CLEAN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
  function cleanText(t) { return String(t || "").replace(CLEAN, "").trim().normalize("NFC"); }
  function chars(t) { return Array.from(t).length; }
  function str(v) {
    if (v === null || v === undefined) return "";
    if (v === true) return "1";
    if (v === false) return "0";
    return String(v);
  }
  function allDigits(s) { return s.length > 0 && /^[0-9]+$/.test(s); }
  // i64 range, as the server reads it.
  function fitsI64(d) {
    d = d.replace(/^0+/, "");
    return d.length < 19 || (d.length === 19 && d <= "9223372036854775807");
  }
  function parseWhole(text) {
    var t = str(text).trim(), digits = t;
    if (t.indexOf(".") >= 0) {
      var g = t.split(".");
      if (!(g[0].length >= 1 && g[0].length <= 3 && g.slice(1).every(function (x) { return x.length === 3; }))) return null;
      digits = g.join("");
    }
    if (!allDigits(digits) || !fitsI64(digits)) return null;
    return Number(digits);
  }
  function parseVnd(text, maxDigits) {
    var t = str(text).trim();
    ["VNĐ", "VND", "vnđ", "đồng", "đ"].forEach(function (s) { while (t.length >= s.length && t.slice(-s.length) === s) t = t.slice(0, -s.length); });
    t = t.trim();
    if (t === "") return { error: "funds_missing" };
    var g = t.indexOf(".") >= 0 ? t.split(".") : t.indexOf(" ") >= 0 ? t.split(" ") : [t];
    // Group lengths in bytes, as the server counts them (non-ASCII fails the digits anyway).
    var bytes = function (s) { return unescape(encodeURIComponent(s)).length; };
    if (g.length > 1 && (!(bytes(g[0]) >= 1 && bytes(g[0]) <= 3) || g.slice(1).some(function (x) { return bytes(x) !== 3; }))) return { error: "funds_invalid" };
    var digits = g.join("");
    if (!allDigits(digits)) return { error: "funds_invalid" };
    if (digits.length > maxDigits) return { error: "funds_too_large" };
    if (!fitsI64(digits)) return { error: "funds_invalid" };
    return { value: Number(digits) };
  }
  function pad(n, w) { var s = String(n); while (s.length < w) s = "0" + s; return s; }
  // d/m/yyyy or yyyy-m-d → "yyyy-mm-dd", a real day; null otherwise.
  function parseDay(text) {
    var t = str(text).trim(), p, y, m, d;
    var dig = function (s, min, max) { return s.length >= min && s.length <= max && /^[0-9]+$/.test(s); };
    if (t.indexOf("/") >= 0) {
      p = t.split("/");
      if (p.length !== 3 || !dig(p[0], 1, 2) || !dig(p[1], 1, 2) || !dig(p[2], 4, 4)) return null;
      y = +p[2]; m = +p[1]; d = +p[0];
    } else {
      p = t.split("-");
      if (p.length !== 3 || !dig(p[0], 4, 4) || !dig(p[1], 1, 2) || !dig(p[2], 1, 2)) return null;
      y = +p[0]; m = +p[1]; d = +p[2];
    }
    var date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
    return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
  }
  function showDay(iso) { var p = iso.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }
  function integer(v) { return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function fill(template, params) {
    return template.replace(/\{([A-Za-z0-9_]+)\}/g, function (m, k) { return Object.prototype.hasOwnProperty.call(params, k) ? params[k] : m; });
  }
  function isBlank(a) {
    return ["title", "held_on", "area", "place", "participants", "funds", "result"].every(function (f) { return str(a[f]).trim() === ""; });
  }

  // Evaluates `rules` on `input` ({values, activities, highlights, difficulties,
  // proposals, confirm_above_base, nothing_to_report}) → {ok, errors, warnings}, each
  // problem {field, code, message_vi, message_en}: what the server answers.
  function evaluate(rules, input) {
    var errors = [], warnings = [], values = {}, L = rules.limits;
    function say(list, code, field, params) {
      var m = rules.messages[code] || { vi: code, en: code };
      list.push({ field: field, code: code, message_vi: fill(m.vi, params || {}), message_en: fill(m.en, params || {}) });
    }
    var given = input.values || {};
    var keys = Object.keys(given).sort();
    var known = {};
    rules.fields.forEach(function (f) { known[f.key] = true; });
    keys.forEach(function (key) {
      if (known[key]) return;
      var retired = rules.retired.filter(function (r) { return r.indicator === key; })[0];
      if (retired) {
        var t = str(given[key]).trim();
        if (t === "" || /^0+$/.test(t) || t.toLowerCase() === "false") return;
        say(errors, "value_retired", "values." + key, { key: key, label: retired.label });
        return;
      }
      say(errors, "value_unknown", "values." + key, { key: key });
    });
    rules.fields.forEach(function (rule) {
      var name = "values." + rule.key;
      var text = Object.prototype.hasOwnProperty.call(given, rule.key) ? str(given[rule.key]).trim() : "";
      var value;
      if (rule.yes_no) {
        var w = text.toLowerCase();
        if (["", "0", "false", "off", "no", "khong", "không"].indexOf(w) >= 0) value = 0;
        else if (["1", "true", "on", "yes", "co", "có"].indexOf(w) >= 0) value = 1;
        else { say(errors, "yes_no_invalid", name, { label: rule.label }); return; }
      } else if (text === "") {
        value = 0;
      } else {
        var v = parseWhole(text);
        // A run of digits too long for a number is too large, not mistyped (as the server).
        if (v === null && /^[0-9.]*$/.test(text) && text.replace(/[^0-9]/g, "").length > 15) { say(errors, "number_too_large", name, { label: rule.label }); return; }
        if (v === null) { say(errors, "number_invalid", name, { label: rule.label, text: text }); return; }
        if (v > L.max_count) { say(errors, "number_too_large", name, { label: rule.label }); return; }
        value = v;
      }
      var total = rule.before + value;
      if (rule.once && value === 1) say(errors, "done_already", name, { label: rule.label });
      // The limits bound what this report adds (as the server): a week adding nothing is not refused.
      if (value > 0 && rule.units_max !== null && rule.units_max !== undefined && total > rule.units_max) {
        say(errors, "units_exceeded", name, { label: rule.label, total: integer(total), total_raw: String(total), max: integer(rule.units_max), max_raw: String(rule.units_max) });
      }
      if (value > 0 && rule.base && total > rule.base.max) {
        var p = { label: rule.label, total: integer(total), total_raw: String(total), max: integer(rule.base.max), max_raw: String(rule.base.max), base_vi: rule.base.name_vi, base_en: rule.base.name_en };
        if (input.confirm_above_base) say(warnings, "base_exceeded_confirmed", name, p);
        else say(errors, "base_exceeded", name, p);
      }
      if (rule.unusual_above !== null && rule.unusual_above !== undefined && value > rule.unusual_above) {
        say(warnings, "value_unusual", name, { label: rule.label, value: integer(value), value_raw: String(value) });
      }
      values[rule.key] = value;
    });

    var acts = input.activities || [], checked = 0;
    if (acts.length > L.max_activities) say(errors, "activities_too_many", "activities", { max: String(L.max_activities) });
    acts.slice(0, L.max_activities).forEach(function (a, i) {
      if (isBlank(a)) return;
      var at = function (f) { return "activities[" + i + "]." + f; };
      var n = String(i + 1);
      var title = cleanText(a.title), len = chars(title);
      if (len < L.title_min || len > L.title_max) say(errors, "title_length", at("title"), { n: n, min: String(L.title_min), max: String(L.title_max) });
      var day = parseDay(a.held_on);
      if (day !== null) {
        if (day < rules.window.from || day > rules.window.to) {
          say(errors, "date_outside", at("held_on"), { n: n, date: showDay(day), from: showDay(rules.window.from), to: showDay(rules.window.to) });
        }
      } else if (str(a.held_on).trim() === "") say(errors, "date_missing", at("held_on"), { n: n });
      else say(errors, "date_invalid", at("held_on"), { n: n, text: str(a.held_on).trim() });
      var area = str(a.area).trim();
      var noAreas = rules.areas.length === 0 && area === "";
      if (!noAreas && rules.areas.indexOf(area) < 0) say(errors, "area_invalid", at("area"), { n: n });
      if (chars(cleanText(a.place)) > L.place_max) say(errors, "place_length", at("place"), { n: n, max: String(L.place_max) });
      var pt = str(a.participants).trim();
      if (pt !== "") {
        var pv = parseWhole(pt);
        if (pv === null || pv > L.max_count) say(errors, "participants_invalid", at("participants"), { n: n, text: pt });
      }
      var ft = str(a.funds).trim();
      if (ft !== "") {
        var fv = parseVnd(ft, L.funds_digits);
        if (fv.error) say(errors, fv.error, at("funds"), { n: n, text: ft });
      }
      if (chars(cleanText(a.result)) > L.result_max) say(errors, "result_length", at("result"), { n: n, max: String(L.result_max) });
      var tag = str(a.tag).trim();
      if (tag !== "" && tag !== "launch") say(errors, "tag_invalid", at("tag"), { n: n, tag: tag });
      if (tag === "launch" && day !== null && rules.launch && (day < rules.launch.from || day > rules.launch.to)) {
        say(warnings, "launch_outside", at("held_on"), { date: showDay(day), from: showDay(rules.launch.from), to: showDay(rules.launch.to) });
      }
      if (day !== null) checked++;
    });

    var texts = {};
    rules.narratives.forEach(function (r) {
      var t = cleanText(input[r.name]), len = chars(t);
      texts[r.name] = t;
      if (len > L.narrative_max) say(errors, "narrative_too_long", r.name, { label_vi: r.label_vi, label_en: r.label_en, max: String(L.narrative_max) });
      else if (len > L.narrative_guide) say(warnings, "narrative_long", r.name, { label_vi: r.label_vi, label_en: r.label_en, len: String(len), guide: String(L.narrative_guide) });
    });
    var empty = Object.keys(values).every(function (k) { return values[k] === 0; }) &&
      checked === 0 && acts.every(isBlank) &&
      rules.narratives.every(function (r) { return texts[r.name] === ""; });
    if (rules.kind === "unit_plan") {
      if (input.nothing_to_report) say(errors, "nothing_not_weekly", "nothing_to_report");
      else if (empty && errors.length === 0) say(errors, "plan_empty", "values");
    } else {
      if (empty && !input.nothing_to_report && errors.length === 0) say(errors, "report_empty", "nothing_to_report");
      else if (!empty && input.nothing_to_report) say(errors, "nothing_contradicts", "nothing_to_report");
    }
    return { ok: errors.length === 0, errors: errors, warnings: errors.length === 0 ? warnings : [] };
  }

  var api = { evaluate: evaluate, parseWhole: parseWhole, parseVnd: parseVnd, parseDay: parseDay };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.PhongtraoRules = api;
})(this);
