// Voucher entry at keyboard speed: Enter moves to the next cell, a new row appears after the last one,
// the summary carries down, "=" or Space in an empty amount fills the balancing figure, totals update live.
(function () {
  "use strict";
  const form = document.getElementById("voucher-form");
  if (!form) return;
  const body = document.getElementById("voucher-lines");
  const template = document.getElementById("voucher-line-template");
  const accounts = JSON.parse(document.getElementById("account-data").textContent);
  const byLabel = new Map(accounts.map((a) => [a.label, a]));
  const cents = (v) => {
    const n = Math.round(parseFloat(String(v || "").replace(/,/g, "")) * 100);
    return Number.isFinite(n) ? n : 0;
  };
  const fmt = (c) => (c / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function rows() { return Array.from(body.querySelectorAll("tr.voucher-line")); }

  function renumber() {
    rows().forEach((tr, i) => {
      tr.querySelector(".line-no").textContent = i + 1;
      tr.querySelectorAll("[data-name]").forEach((el) => { el.name = `lines-${i}-${el.dataset.name}`; });
    });
  }

  function totals() {
    let d = 0, c = 0;
    rows().forEach((tr) => { d += cents(tr.querySelector("[data-name=debit]").value); c += cents(tr.querySelector("[data-name=credit]").value); });
    document.getElementById("total-debit").textContent = fmt(d);
    document.getElementById("total-credit").textContent = fmt(c);
    const diff = document.getElementById("total-diff");
    diff.textContent = fmt(d - c);
    diff.closest(".sp-diff").classList.toggle("text-danger", d !== c);
    diff.closest(".sp-diff").classList.toggle("text-success", d === c && d !== 0);
    return d - c;
  }

  function addRow() {
    const tr = template.content.firstElementChild.cloneNode(true);
    body.appendChild(tr);
    renumber();
    return tr;
  }

  function syncAccount(tr) {
    const picker = tr.querySelector(".account-picker");
    const hidden = tr.querySelector("[data-name=account]");
    const found = byLabel.get(picker.value.trim()) || accounts.find((a) => a.label.startsWith(picker.value.trim() + " "));
    hidden.value = found ? found.id : "";
    picker.classList.toggle("is-invalid", picker.value.trim() !== "" && !found);
    const partner = tr.querySelector("[data-name=partner]");
    const needs = found && found.dims.some((d) => d === "customer" || d === "supplier");
    partner.classList.toggle("d-none", !needs && !partner.value);
    const item = tr.querySelector("[data-name=cash_flow_item]");
    if (item) {
      // Only cash and bank lines carry a cash-flow item (现金流量项目); another account drops it.
      const cash = Boolean(found && found.cash);
      if (!cash && found) item.value = "";
      item.classList.toggle("d-none", !cash && !item.value);
    }
    if (found && picker.value !== found.label) picker.value = found.label;
  }

  body.addEventListener("focusin", (e) => {
    const el = e.target;
    if (el.dataset.name === "summary" && !el.value) {
      const prev = el.closest("tr").previousElementSibling;
      if (prev) el.value = prev.querySelector("[data-name=summary]").value;
      el.select();
    }
  });

  body.addEventListener("change", (e) => {
    if (e.target.classList.contains("account-picker")) syncAccount(e.target.closest("tr"));
    totals();
  });
  body.addEventListener("input", (e) => { if (e.target.dataset.amount !== undefined) totals(); });

  body.addEventListener("keydown", (e) => {
    const el = e.target;
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) return;
    const tr = el.closest("tr");
    if ((e.key === "=" || (e.key === " " && !el.value)) && el.dataset.amount !== undefined) {
      e.preventDefault();
      const other = tr.querySelector(el.dataset.name === "debit" ? "[data-name=credit]" : "[data-name=debit]");
      other.value = "";
      el.value = "";
      const diff = totals();
      const fill = el.dataset.name === "debit" ? -diff : diff;
      if (fill > 0) el.value = (fill / 100).toFixed(2);
      totals();
      return;
    }
    if (e.key === "Enter") {
      e.preventDefault();
      if (el.classList.contains("account-picker")) syncAccount(tr);
      const cells = Array.from(tr.querySelectorAll("input:not([type=hidden]):not(.d-none), select:not(.d-none)"));
      const i = cells.indexOf(el);
      if (i < cells.length - 1) { cells[i + 1].focus(); return; }
      const next = tr.nextElementSibling || addRow();
      next.querySelector("[data-name=summary]").focus();
    }
    if (e.key === "Delete" && e.ctrlKey && rows().length > 2) {
      e.preventDefault();
      const next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      renumber();
      totals();
      next.querySelector("[data-name=summary]").focus();
    }
  });

  document.getElementById("add-line").addEventListener("click", () => addRow().querySelector("[data-name=summary]").focus());
  form.addEventListener("keydown", (e) => { if (e.key === "s" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); } });
  rows().forEach(syncAccount);
  renumber();
  totals();
})();
