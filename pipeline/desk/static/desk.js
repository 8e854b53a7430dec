// Keyboard triage for the desk. Every action is one of the page's plain forms: this only chooses
// which one to submit. Keys are ignored while typing in a field.
(function () {
  "use strict";
  const items = Array.from(document.querySelectorAll("li.candidate"));
  const dialog = document.querySelector("dialog.keys");
  let current = Math.max(0, items.findIndex((li) => "#" + li.id === location.hash));

  function focus(index) {
    if (!items.length) return;
    current = Math.min(Math.max(index, 0), items.length - 1);
    items.forEach((li, i) => li.classList.toggle("current", i === current));
    items[current].scrollIntoView({ block: "nearest" });
    history.replaceState(null, "", "#" + items[current].id);
  }

  function submit(action) {
    const button = items[current] && items[current].querySelector("button." + action);
    if (button) button.click();
  }

  function open(kind) {
    const url = items[current] && items[current].dataset[kind];
    if (url && /^https?:\/\//i.test(url)) window.open(url, "_blank", "noopener,noreferrer");
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const keys = {
      j: () => focus(current + 1), k: () => focus(current - 1), p: () => submit("pick"),
      r: () => submit("reject"), u: () => { const f = document.querySelector("form.undo-last"); if (f) f.submit(); }, o: () => open("news"), O: () => open("primary"),
      e: () => { const a = items[current] && items[current].querySelector("a.edit"); if (a) location.href = a.href; },
      "?": () => dialog && (dialog.open ? dialog.close() : dialog.showModal()),
    };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
    }
  });
  const help = document.querySelector("a.keys-help");
  if (help) help.addEventListener("click", (event) => { event.preventDefault(); dialog.showModal(); });
  focus(current);
})();
