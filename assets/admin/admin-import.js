// Keeps an import's progress page current while it runs: asks the page's own URL for JSON every second
// and updates the bar and the sentence. Without this script a refresh shows the same figures.
(() => {
  const box = document.querySelector('[data-progress-url]');
  const bar = document.getElementById('import-bar');
  const status = document.getElementById('import-status');
  if (!box || !bar || !status) return;
  const url = box.getAttribute('data-progress-url');
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) return setTimeout(tick, 3000);
      const p = await response.json();
      bar.max = Math.max(p.totalRows, 1);
      bar.value = p.state === 'done' ? bar.max : p.rows;
      status.textContent = p.words;
      // Finished: reload once, so the rows that were not imported are listed by the server.
      if (p.state === 'done' || p.state === 'failed') return window.location.reload();
      setTimeout(tick, 1000);
    } catch {
      setTimeout(tick, 3000);
    }
  };
  setTimeout(tick, 1000);
})();
