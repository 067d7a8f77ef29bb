// Passkeys in the admin: asks the browser to create or use one (through the site's own copy of
// @simplewebauthn/browser), and hands the answer to the server. Loaded with defer; no inline script.
(() => {
  const webauthn = window.SimpleWebAuthnBrowser;
  const problem = document.getElementById('passkey-problem');

  function show(message) {
    if (!problem) return;
    problem.textContent = message;
    problem.hidden = false;
  }

  async function post(url, csrf, body) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body ?? {}),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error || `The server answered ${response.status}.`);
    return answer;
  }

  function wire(button, ceremony) {
    if (!button) return;
    if (!webauthn || !webauthn.browserSupportsWebAuthn()) {
      button.disabled = true;
      show('This browser cannot use passkeys here (they need https, or localhost).');
      return;
    }
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const { csrf, options, verify } = button.dataset;
        const optionsJSON = await post(options, csrf);
        const response = await ceremony({ optionsJSON });
        const name = document.getElementById('passkey-name');
        const answer = await post(verify, csrf, { response, name: name ? name.value : undefined });
        window.location.assign(answer.redirect);
      } catch (error) {
        show(error && error.name === 'NotAllowedError' ? 'The passkey request was cancelled.' : String(error.message || error));
        button.disabled = false;
      }
    });
  }

  wire(document.getElementById('use-passkey'), (o) => webauthn.startAuthentication(o));
  wire(document.getElementById('add-passkey'), (o) => webauthn.startRegistration(o));
})();
