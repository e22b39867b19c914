import { SessionEndedError } from '../api.js';
import { h, icon } from '../dom.js';
import { busy, clearErrors, formAlert, showErrors, uid } from './form.js';

/** @import { Child } from '../app-types.js' */

/**
 * An open dialog: its element, and how to close it or replace what it shows.
 * @typedef {object} DialogHandle
 * @property {HTMLDialogElement} dialog
 * @property {() => void} close
 * @property {(node: Node) => void} setContent
 */

/**
 * Modal dialogs on the native <dialog>: focus is trapped, the page behind is inert, Escape closes
 * (except while a request runs), and focus goes back to whatever opened it.
 * @param {{ title: string, description?: string, size?: 'sm' | 'md' | 'lg', onClose?: () => void }} options
 * @returns {DialogHandle}
 */
export function openDialog({ title, description, size = 'md', onClose }) {
  const opener = document.activeElement;
  const titleId = uid('dlg');
  const descriptionId = description ? `${titleId}-d` : undefined;
  const content = h('div.dialog-content');
  const dialog = h(
    `dialog.dialog.dialog-${size}`,
    { 'aria-labelledby': titleId, 'aria-describedby': descriptionId },
    h(
      'div.dialog-header',
      h('div', h('h2.dialog-title', { id: titleId }, title), description ? h('p.dialog-description', { id: descriptionId }, description) : null),
      h('button.icon-button.dialog-close', { type: 'button', 'aria-label': 'Close', onclick: () => api.close() }, icon('close')),
    ),
    content,
  );
  dialog.addEventListener('cancel', (event) => {
    if (dialog.dataset.busy) event.preventDefault();
  });
  // Runs once, as soon as the dialog closes (the native close event comes a task later). Values are
  // wiped so a secret shown in it is gone from the page at once.
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    for (const input of dialog.querySelectorAll('input, textarea'))
      if (input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement) input.value = '';
    dialog.remove();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    onClose?.();
  };
  dialog.addEventListener('close', finish);
  /** @type {DialogHandle} */
  const api = {
    dialog,
    close: () => {
      if (dialog.open) dialog.close();
      finish();
    },
    setContent(node) {
      content.replaceChildren(node);
      focusFirst(dialog);
    },
  };
  document.body.append(dialog);
  dialog.showModal();
  return api;
}

/** @param {HTMLDialogElement} dialog */
function focusFirst(dialog) {
  const target =
    dialog.querySelector('.dialog-content [autofocus]') ??
    dialog.querySelector('.dialog-content input:not([type=hidden]):not([disabled]), .dialog-content select, .dialog-content textarea') ??
    dialog.querySelector('.dialog-footer .btn-primary, .dialog-footer .btn');
  if (target instanceof HTMLElement) target.focus();
}

/**
 * A dialog holding a form. `onSubmit(form)` runs the request; an ApiError is shown on the form
 * (field errors next to their fields). If it returns a node, that becomes the dialog's content
 * (for example a secret shown once) with a single Done button; otherwise the dialog closes
 * (unless it returns false: then it has seen to the dialog itself).
 * @param {object} options
 * @param {string} options.title
 * @param {string} [options.description]
 * @param {Child} [options.fields]
 * @param {string} [options.submitLabel]
 * @param {boolean} [options.danger] A red submit button, for what cannot be undone.
 * @param {string} [options.cancelLabel]
 * @param {'sm' | 'md' | 'lg'} [options.size]
 * @param {(form: HTMLFormElement, dialog: DialogHandle) => Promise<Node | boolean | void>} options.onSubmit
 * @param {boolean} [options.focusCancel]
 * @param {() => void} [options.onClose]
 * @returns {DialogHandle}
 */
export function formDialog({
  title,
  description,
  fields = [],
  submitLabel = 'Save',
  danger = false,
  cancelLabel = 'Cancel',
  size,
  onSubmit,
  focusCancel = false,
  onClose,
}) {
  const submit = h(`button.btn.${danger ? 'btn-danger' : 'btn-primary'}`, { type: 'submit' }, submitLabel);
  const cancel = h('button.btn.btn-secondary', { type: 'button', onclick: () => d.close() }, cancelLabel);
  const form = h('form.dialog-form', { novalidate: true }, h('div.dialog-body', formAlert(), fields), h('div.dialog-footer', cancel, submit));
  const d = openDialog({ title, description, size, onClose });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (d.dialog.dataset.busy) return;
    clearErrors(form);
    d.dialog.dataset.busy = '1';
    try {
      const result = await busy(submit, () => onSubmit(form, d));
      delete d.dialog.dataset.busy;
      if (result instanceof Node) showResult(d, result);
      else if (result !== false) d.close();
    } catch (error) {
      delete d.dialog.dataset.busy;
      if (error instanceof SessionEndedError) return d.close();
      showErrors(form, error);
    }
  });
  d.setContent(form);
  if (focusCancel) cancel.focus();
  return d;
}

/**
 * Replaces a dialog's content with a result (and a Done button that closes it).
 * @param {DialogHandle} d
 * @param {Node} node
 * @param {{ doneLabel?: string, extra?: Child }} [options] `extra` goes beside the Done button.
 */
export function showResult(d, node, { doneLabel = 'Done', extra } = {}) {
  const done = h('button.btn.btn-primary', { type: 'button', onclick: () => d.close() }, doneLabel);
  d.setContent(h('div', h('div.dialog-body', node), h('div.dialog-footer', extra ?? null, done)));
  if (!(node instanceof Element && node.querySelector('[autofocus]'))) done.focus();
}

/**
 * Asks before doing something; the action runs inside the dialog so its error stays in view.
 * @param {object} options
 * @param {string} options.title
 * @param {string} [options.message]
 * @param {string} [options.confirmLabel]
 * @param {boolean} [options.danger]
 * @param {Child} [options.body] More content under the message (a checkbox, say).
 * @param {(form: HTMLFormElement, dialog: DialogHandle) => Promise<Node | boolean | void>} options.onConfirm
 */
export function confirmDialog({ title, message, confirmLabel = 'Confirm', danger = false, body, onConfirm }) {
  return formDialog({
    title,
    submitLabel: confirmLabel,
    danger,
    focusCancel: true,
    size: 'sm',
    fields: [message ? h('p.dialog-message', message) : null, body ?? null],
    onSubmit: onConfirm,
  });
}
