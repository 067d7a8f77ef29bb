// Opening the confirmation link in a browser confirms at once: this script presses the button for the
// person. Scanners that only fetch the link never run it; the button stays for browsers without scripts.
const form = document.querySelector('form[data-auto-confirm]');
if (form) {
  const note = document.querySelector('[data-confirm-note]');
  if (note) note.textContent = 'Confirming…';
  form.elements.automatic.value = '1';
  form.submit();
}
