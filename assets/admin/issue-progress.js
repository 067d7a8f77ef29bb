// Live figures of an issue while it sends: the page's own numbers are right without this script; it
// only keeps them current from the server-sent events of /admin/issues/<id>/progress. The server formats
// every figure, so what this writes in is what a refresh would show.
(() => {
  const section = document.querySelector('[data-progress-url]');
  if (!section || !('EventSource' in window)) return;
  const shownState = section.dataset.state;
  const bar = section.querySelector('progress');
  const status = section.querySelector('.live-status');
  const source = new EventSource(section.dataset.progressUrl);
  source.addEventListener('open', () => {
    section.dataset.live = 'on';
  });
  source.addEventListener('progress', (event) => {
    const figures = JSON.parse(event.data);
    for (const element of section.querySelectorAll('[data-figure]')) {
      const text = figures.text[element.dataset.figure];
      if (text !== undefined) element.textContent = text;
    }
    if (bar) {
      bar.max = Math.max(figures.recipients, 1);
      bar.value = figures.final && figures.recipients === 0 ? 1 : figures.settled;
      bar.textContent = figures.text.percent;
    }
    if (figures.state !== shownState) {
      // The buttons belong to the old state (pause while sending, resume while paused): load them anew.
      if (status) status.textContent = `The issue is now ${figures.state}.`;
      source.close();
      window.location.replace(window.location.pathname);
    }
  });
  const stop = () => {
    source.close();
    section.dataset.live = 'off';
  };
  source.addEventListener('end', stop);
  source.addEventListener('gone', stop);
  // A button was pressed (pause, resume…): its answer is the next page, not a reload of this one.
  document.addEventListener('submit', stop);
})();
