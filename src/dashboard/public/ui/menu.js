import { h, icon } from '../dom.js';
import { uid } from './form.js';

/** @import { Child } from '../app-types.js' */

/** @typedef {{ label: string, onSelect: () => void, danger?: boolean }} MenuItem */

/**
 * A "more actions" button with a menu of actions. The menu is a popover (top layer: never clipped
 * by a scrolling table; Escape and outside clicks close it) positioned under its button.
 * items: [{label, onSelect, danger?}] (falsy entries are skipped).
 * @param {string} label What the menu is for (its accessible name).
 * @param {(MenuItem | false | null | undefined)[]} items
 * @param {{ buttonLabel?: string, buttonContent?: Child, header?: Child }} [options]
 *   A text button (`buttonLabel`) or custom content instead of the "more" icon; a header above the items.
 */
export function actionMenu(label, items, { buttonLabel, buttonContent, header } = {}) {
  const id = uid('menu');
  const entries = items.filter((item) => !!item);
  const button = h(
    buttonContent ? 'button.menu-trigger' : buttonLabel ? 'button.btn.btn-secondary.btn-sm' : 'button.icon-button',
    { type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': id, 'aria-label': buttonLabel ? undefined : label },
    buttonContent ?? (buttonLabel ? [buttonLabel, icon('chevronDown')] : icon('more')),
  );
  const menu = h(
    'div.menu',
    { id, role: 'menu', popover: 'auto', 'aria-label': label },
    header ? h('div.menu-header', { role: 'presentation' }, header) : null,
    entries.map((item) =>
      h(
        `button.menu-item${item.danger ? '.menu-item-danger' : ''}`,
        {
          type: 'button',
          role: 'menuitem',
          tabindex: -1,
          onclick: () => {
            menu.hidePopover();
            button.focus();
            item.onSelect();
          },
        },
        item.label,
      ),
    ),
  );
  const itemsOf = () => [...menu.querySelectorAll('[role=menuitem]')].filter((el) => el instanceof HTMLElement);
  const open = (focusLast = false) => {
    menu.showPopover();
    const rect = button.getBoundingClientRect();
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    const left = Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8));
    const below = rect.bottom + 4;
    const top = below + height > window.innerHeight - 8 && rect.top - height - 4 > 8 ? rect.top - height - 4 : below;
    menu.style.left = `${left}px`;
    menu.style.top = `${top}px`;
    const list = itemsOf();
    (focusLast ? list[list.length - 1] : list[0])?.focus();
  };
  button.addEventListener('click', () => (menu.matches(':popover-open') ? menu.hidePopover() : open()));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      open(event.key === 'ArrowUp');
    }
  });
  // A fixed-position menu would float away from its button when the page scrolls: close it instead.
  const closeOnScroll = () => menu.hidePopover();
  menu.addEventListener('toggle', (event) => {
    const isOpen = event.newState === 'open';
    button.setAttribute('aria-expanded', String(isOpen));
    if (isOpen) window.addEventListener('scroll', closeOnScroll, { capture: true, once: true, passive: true });
    else window.removeEventListener('scroll', closeOnScroll, { capture: true });
  });
  menu.addEventListener('keydown', (event) => {
    const list = itemsOf();
    const index = list.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    /** @type {Record<string, number>} */
    const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: list.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      list[(moves[event.key] + list.length) % list.length]?.focus();
    } else if (event.key === 'Escape' || event.key === 'Tab') {
      menu.hidePopover();
      button.focus();
      if (event.key === 'Escape') event.preventDefault();
    }
  });
  return h('div.menu-wrap', button, menu);
}
