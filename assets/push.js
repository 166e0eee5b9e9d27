/* Rapport push reminders in the browser: window.rapportPush, used by the Settings page.
 *
 * support() tells whether this browser can get push reminders at all; enable(),
 * called from the tap on "Turn on reminders" (browsers only ask for permission
 * from a user gesture), asks for permission, subscribes with the server's VAPID
 * key and stores the subscription through the API. Both resolve to a plain
 * object for Reflex callbacks: {ok, state, message}. The service worker that
 * shows the notifications is registered by pwa.js. */
(function () {
  'use strict';

  const SERVICE_WORKER_WAIT_MS = 10000;

  const MESSAGES = {
    'ios-home-screen': 'On iPhone and iPad, reminders work only in the Home Screen app: tap Share, ' +
      'then "Add to Home Screen", open Rapport from there and turn reminders on again.',
    unsupported: 'This browser cannot receive push reminders. Try an up-to-date Chrome, Edge, ' +
      'Firefox or Safari.',
    denied: 'Notifications are blocked for Rapport. Allow them in the browser\'s site settings, ' +
      'then tap "Turn on reminders" again.',
    dismissed: 'Reminders stay off: the browser did not get permission to show notifications.',
    'no-service-worker': 'The app\'s background helper is not running yet. Reload the page and ' +
      'try again.',
    'signed-out': 'Your session has ended. Sign in again, then turn reminders on.',
    ready: 'This device can receive reminders.',
    granted: 'Notifications are allowed on this device.',
    subscribed: 'Reminders are on for this device.',
  };

  function answer(ok, state, message) {
    return {ok, state, message: message || MESSAGES[state] || ''};
  }

  function isAppleMobile() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
      (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  }

  function isStandalone() {
    return navigator.standalone === true ||
      (typeof window.matchMedia === 'function' && window.matchMedia('(display-mode: standalone)').matches);
  }

  function support() {
    if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
      return answer(false, isAppleMobile() && !isStandalone() ? 'ios-home-screen' : 'unsupported');
    }
    if (Notification.permission === 'denied') return answer(false, 'denied');
    return answer(true, Notification.permission === 'granted' ? 'granted' : 'ready');
  }

  function apiUrl(path) {
    const meta = document.querySelector('meta[name="rapport-api-base"]');
    const base = (meta && meta.content) || '/api/v1';
    return base.replace(/\/$/, '') + path;
  }

  function keyBytes(base64url) {
    const padded = (base64url + '==='.slice((base64url.length + 3) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function sameKey(buffer, bytes) {
    if (!buffer) return false;
    const have = new Uint8Array(buffer);
    return have.length === bytes.length && have.every((value, index) => value === bytes[index]);
  }

  async function serviceWorker() {
    const timeout = new Promise((resolve) => setTimeout(resolve, SERVICE_WORKER_WAIT_MS, null));
    return Promise.race([navigator.serviceWorker.ready, timeout]);
  }

  async function vapidKey() {
    const response = await fetch(apiUrl('/push/vapid-public-key'), {headers: {Accept: 'application/json'}});
    if (!response.ok) throw new Error(`the server answered ${response.status} for its push key`);
    return keyBytes((await response.json()).public_key);
  }

  /* A subscription made with another server key (the key was replaced) cannot be used. */
  async function subscription(registration, applicationServerKey) {
    const existing = await registration.pushManager.getSubscription();
    if (existing && sameKey(existing.options && existing.options.applicationServerKey, applicationServerKey)) {
      return existing;
    }
    if (existing) await existing.unsubscribe();
    return registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey});
  }

  async function refusal(response) {
    try {
      const detail = (await response.json()).detail;
      if (typeof detail === 'string') return detail;
    } catch (_) { /* not JSON */ }
    return `the server answered ${response.status}`;
  }

  async function enable() {
    const checked = support();
    if (!checked.ok && checked.state !== 'denied') return checked;
    // outbox.js, in the head of every page, reads the token the way Reflex stores it.
    const token = window.crmOutbox.storedToken();
    if (!token) return answer(false, 'signed-out');
    let permission;
    try {
      permission = await Notification.requestPermission();
    } catch (_) {
      permission = Notification.permission;
    }
    if (permission !== 'granted') return answer(false, permission === 'denied' ? 'denied' : 'dismissed');
    try {
      const registration = await serviceWorker();
      if (!registration) return answer(false, 'no-service-worker');
      const subscribed = await subscription(registration, await vapidKey());
      const response = await fetch(apiUrl('/push/subscriptions'), {
        method: 'POST',
        headers: {'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}`},
        body: JSON.stringify(subscribed.toJSON()),
      });
      if (response.status === 401) return answer(false, 'signed-out');
      if (!response.ok) return answer(false, 'refused', `Reminders could not be turned on: ${await refusal(response)}`);
      return answer(true, 'subscribed');
    } catch (error) {
      return answer(false, 'failed', `Reminders could not be turned on: ${error && error.message ? error.message : error}`);
    }
  }

  window.rapportPush = {support, enable};
})();
