/* Small DOM helpers shared by the scripts that draw outside React (offline.js,
 * outbox-list.js): window.crmDom. */
(function () {
  'use strict';

  /* document.createElement with attributes, listeners (on*) and children. */
  function h(tag, attributes, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') el.textContent = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    children.flat().forEach((child) => {
      if (child !== null && child !== undefined && child !== false) el.append(child);
    });
    return el;
  }

  function clip(text, length) {
    const chars = Array.from(String(text || ''));
    return chars.length > length ? `${chars.slice(0, length).join('')}…` : chars.join('');
  }

  /* React must own a container before anything goes into it: a node added before
   * hydration would not match the prerendered page and make React start over. */
  function ownedByReact(el) {
    return Object.keys(el).some((key) => key.startsWith('__reactFiber$'));
  }

  /* Puts node into the first React-owned element matching selector (once). */
  function attach(node, selector) {
    const parent = node.parentElement;
    if (parent && parent.isConnected && parent.matches(selector)) return;
    const host = Array.from(document.querySelectorAll(selector)).find(ownedByReact);
    if (host) host.append(node);
  }

  /* The rep's calendar day: the page renders it (data-today) in the rep's zone;
   * a page that does not falls back to the phone's own calendar. */
  function today() {
    const marked = document.querySelector('[data-today]');
    return (marked && marked.dataset.today) || new Date().toLocaleDateString('en-CA');
  }

  window.crmDom = {h, clip, attach, today};
})();
