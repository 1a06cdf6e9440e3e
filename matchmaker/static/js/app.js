// Page behaviour, loaded as a file so the Content-Security-Policy can forbid inline script.
// Markup asks for it with data attributes:
//   data-add-row="NAME" on a button: copy the last [data-row] of [data-rows="NAME"]
//   data-confirm="QUESTION" on a form: ask before submitting
//   every POST form gets a hidden form_nonce on submit (double submissions are run once)
//   data-autosubmit on a select: submit its form when it changes
//   data-print on a button: open the print dialog
//   data-toggle-nav="ID" on a button: show or hide the collapsed menu ID (narrow screens)
//   data-copy="ID" on a button: copy the text of element ID (a <textarea> or <pre>)
(function () {
  'use strict';

  // "Add another row": copy the last row of a table, give it the next index, empty its fields.
  function addRow(button) {
    var body = document.querySelector('[data-rows="' + button.dataset.addRow + '"]');
    var rows = body.querySelectorAll('[data-row]');
    var copy = rows[rows.length - 1].cloneNode(true);
    var index = rows.length;
    copy.querySelectorAll('[name], [id], [for]').forEach(function (el) {
      ['name', 'id', 'for'].forEach(function (attr) {
        if (el.hasAttribute(attr)) { el.setAttribute(attr, el.getAttribute(attr).replace(/-\d+-/, '-' + index + '-')); }
      });
      if (el.matches('input, textarea')) { el.value = ''; }
      el.classList.remove('is-invalid');
    });
    copy.querySelectorAll('.invalid-feedback').forEach(function (el) { el.remove(); });
    body.appendChild(copy);
    var first = copy.querySelector('input, textarea');
    if (first) { first.focus(); }
  }

  function toggleNav(button) {
    var menu = document.getElementById(button.dataset.toggleNav);
    var open = menu.classList.toggle('show');
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  // Copy a summary to the clipboard; where the clipboard is refused, select the text so the
  // reader can copy it by hand (the element stays visible either way).
  function copyText(button) {
    var source = document.getElementById(button.dataset.copy);
    var text = source.value !== undefined ? source.value : source.textContent;
    var done = function () { button.textContent = button.dataset.copied || button.textContent; };
    var select = function () {
      if (source.select) { source.select(); } else {
        var range = document.createRange();
        range.selectNodeContents(source);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, select);
    } else {
      select();
      try { if (document.execCommand('copy')) { done(); } } catch (e) { /* selected: copy by hand */ }
    }
  }

  document.addEventListener('click', function (event) {
    var add = event.target.closest('[data-add-row]');
    if (add) { addRow(add); return; }
    if (event.target.closest('[data-print]')) { window.print(); return; }
    var toggle = event.target.closest('[data-toggle-nav]');
    if (toggle) { toggleNav(toggle); return; }
    var copy = event.target.closest('[data-copy]');
    if (copy) { copyText(copy); }
  });

  // A one-time value per form, made on its first submit and repeated by a resend: the server
  // (matchmaker/formutils.py) handles each value once. A second click while the first submit
  // is on its way is dropped here (for a few seconds, in case the first was stopped).
  function nonce() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form.dataset ? form.dataset.confirm : null;
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if ((form.getAttribute('method') || '').toLowerCase() !== 'post') { return; }
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = '1';
    window.setTimeout(function () { delete form.dataset.sending; }, 5000);
    if (!form.elements.form_nonce) {
      var field = document.createElement('input');
      field.type = 'hidden';
      field.name = 'form_nonce';
      field.value = nonce();
      form.appendChild(field);
    }
  });

  // A page restored by "Back" may submit its forms again (the server still knows their nonces).
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll('form[data-sending]').forEach(function (form) { delete form.dataset.sending; });
  });

  document.addEventListener('change', function (event) {
    if (event.target.matches('select[data-autosubmit]') && event.target.form) { event.target.form.submit(); }
  });
}());
