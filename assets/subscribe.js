// Progressive enhancement for the subscribe forms: answer inline instead of on a new page.
// Without this script the same forms post normally and get a page back.
for (const form of document.querySelectorAll('form[data-subscribe]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = form.querySelector('.form-message');
    const button = form.querySelector('button');
    const body = Object.fromEntries(new FormData(form));
    button.disabled = true;
    status.removeAttribute('data-kind');
    status.textContent = 'Sending…';
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = await response.json();
      status.textContent = answer.message ?? answer.error;
      if (!response.ok) status.dataset.kind = 'error';
      else form.querySelector('input[type=email]').value = '';
    } catch {
      status.dataset.kind = 'error';
      status.textContent = 'Could not reach the site. Please check your connection and try again.';
    } finally {
      button.disabled = false;
    }
  });
}
