// Answers tapped before the WebAssembly client has started.
//
// On a thin link the page is readable about a second after it is opened, but the client takes a
// few seconds more. This script is inlined in the conduct page (no extra request) and runs as
// soon as the checklist is parsed: until the client starts, a tapped answer is written to the
// same per-user queue in local storage that the checklist itself keeps
// (`attest.u{user}.audit.{audit}.pending`, see `queue` in conduct.rs) and shown as pressed
// and waiting. When the client starts, the checklist reads that queue, as it does after a
// reload, and sends it with the usual revision and clash rules; from then on this script
// steps aside. It never talks to the server itself.
(() => {
  const holder = document.querySelector('[data-early-queue]');
  if (!holder) return;
  const key = holder.getAttribute('data-early-queue');
  const status = document.querySelector('[data-testid="sync-status"]');
  const problem = document.querySelector('[data-early-problem]');
  // The client marks the body before it hydrates the checklist (all in one task, so no tap can
  // fall between the two); from then on its own handlers answer.
  const started = () => document.body.hasAttribute('data-client');

  const say = (text) => {
    // Change the text node the client will take over, never replace it.
    const node = status && [...status.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
    if (node) node.data = text;
  };
  const warn = (text) => {
    if (!problem) return;
    problem.textContent = text;
    problem.hidden = false;
  };
  // The warning is about the time before the client; it goes when the client starts.
  new MutationObserver((_, observer) => {
    if (!started()) return;
    if (problem) problem.hidden = true;
    observer.disconnect();
  }).observe(document.body, { attributes: true, attributeFilter: ['data-client'] });

  // A page reopened offline is the copy saved when it was last loaded; the answers the server
  // confirmed since are kept beside the queue (`.confirmed`), and the newer revision is the one
  // the auditor has seen.
  const confirmedRevision = (id) => {
    try {
      const confirmed = JSON.parse(localStorage.getItem(key.replace(/\.pending$/, '.confirmed')) || '[]');
      const answer = Array.isArray(confirmed) && confirmed.find((a) => a.item_id === id);
      return answer ? Number(answer.revision) || 0 : 0;
    } catch (_) {
      return 0;
    }
  };

  const keep = (item, answer) => {
    let queue = [];
    try {
      const text = localStorage.getItem(key);
      queue = text ? JSON.parse(text) : [];
      if (!Array.isArray(queue)) throw new Error('not a queue');
    } catch (_) {
      // An entry that cannot be read is the client's to set aside, not ours to overwrite.
      warn('This answer could not be kept yet: wait until Attest has started, then answer again.');
      return false;
    }
    const id = Number(item.getAttribute('data-item'));
    const notes = item.querySelector('textarea');
    queue = queue.filter((q) => q.item_id !== id);
    queue.push({
      item_id: id,
      answer,
      notes: notes ? notes.value : '',
      base_revision: Math.max(Number(item.getAttribute('data-revision') || 0), confirmedRevision(id)),
    });
    try {
      localStorage.setItem(key, JSON.stringify(queue));
    } catch (_) {
      warn("This device's storage is full, so this answer was not kept: free some space or wait until Attest has started.");
      return false;
    }
    say(queue.length === 1 ? '⟳ 1 answer waiting to be sent' : `⟳ ${queue.length} answers waiting to be sent`);
    return true;
  };

  document.addEventListener('click', (event) => {
    if (started()) return;
    const button = event.target.closest('.checklist button[data-answer]');
    const item = button && button.closest('[data-item]');
    if (!item || !keep(item, button.getAttribute('data-answer'))) return;
    for (const other of item.querySelectorAll('button[data-answer]')) {
      other.setAttribute('aria-pressed', String(other === button));
    }
  });
  document.body.setAttribute('data-early-taps', '');
})();
