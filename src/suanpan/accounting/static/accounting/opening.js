// Opening-balance grid: Enter moves down the column, partner rows are added and removed, a filter narrows rows.
(function () {
  "use strict";
  const form = document.getElementById("opening-form");
  if (!form) return;
  const body = form.querySelector("#opening-grid tbody");
  const template = document.getElementById("opening-partner-template");

  function inputs(col) {
    return Array.from(body.querySelectorAll(`input[data-col="${col}"]`)).filter((el) => el.offsetParent !== null);
  }

  // Enter (or Shift+Enter) moves to the next (previous) input of the same column instead of submitting.
  body.addEventListener("keydown", (e) => {
    const el = e.target;
    if (e.key !== "Enter" || !el.dataset || !el.dataset.col) return;
    e.preventDefault();
    const column = inputs(el.dataset.col);
    const next = column[column.indexOf(el) + (e.shiftKey ? -1 : 1)];
    if (next) { next.focus(); next.select(); }
  });

  // Ctrl+S saves.
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") { e.preventDefault(); form.requestSubmit(); }
  });

  // Partner sub-rows of one account are numbered 0, 1, 2 … without gaps: the server reads them in order.
  function renumber(code) {
    body.querySelectorAll(`tr.opening-partner[data-code="${code}"]`).forEach((tr, n) => {
      tr.querySelectorAll("[data-name]").forEach((el) => { el.name = `p-${code}-${n}-${el.dataset.name}`; });
    });
  }

  body.addEventListener("click", (e) => {
    const add = e.target.closest(".add-partner");
    if (add) {
      const code = add.dataset.code;
      const html = template.innerHTML.replaceAll("__CODE__", code);
      const holder = document.createElement("tbody");
      holder.innerHTML = html.trim();
      const tr = holder.firstElementChild;
      const rows = body.querySelectorAll(`tr[data-code="${code}"]`);
      rows[rows.length - 1].after(tr);
      renumber(code);
      const select = tr.querySelector("select");
      if (select) select.focus();
      return;
    }
    const remove = e.target.closest(".remove-partner");
    if (remove) {
      const tr = remove.closest("tr");
      if (tr.querySelector("input[type=hidden][data-name=partner]")) {
        // A stored partner row: send zero amounts, which removes it on save.
        tr.querySelectorAll("input[data-col]").forEach((el) => { el.value = ""; });
        tr.classList.add("d-none");
      } else {
        const code = tr.dataset.code;
        tr.remove();
        renumber(code);
      }
    }
  });

  const filter = document.getElementById("opening-filter");
  if (filter) {
    filter.addEventListener("input", () => {
      const q = filter.value.trim().toLowerCase();
      body.querySelectorAll("tr[data-code]").forEach((tr) => {
        const text = (tr.dataset.search || tr.dataset.code).toLowerCase();
        tr.style.display = q !== "" && !text.includes(q) ? "none" : "";
      });
    });
  }
})();
