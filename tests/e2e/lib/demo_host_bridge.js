// Browser side of the demo Jira site: plays the Connect host for one app iframe with Atlassian's simple-xdm host
// (window.host), answering what all.js asks of Jira: context tokens, resize / sizeToParent, flags, navigation, events;
// on an issue page it also keeps the issue's links list current.
(() => {
  const config = JSON.parse(document.getElementById('connect-frame-config').textContent);
  const container = document.getElementById('connect-frame');
  const flags = document.getElementById('flags');
  const xdm = window.host;
  const CONNECT_TIMEOUT_MS = 12000; // Jira gives up on an iframe that has not connected by then

  const frameOf = (callback) => document.getElementById(callback._context.extension_id);
  const cssSize = (value) => (typeof value === 'number' || /^\d+$/.test(String(value)) ? `${value}px` : String(value));

  // A context JWT, as Jira's server signs it for the signed-in user (the secret never reaches the browser).
  async function contextToken() {
    const response = await fetch('/demo/context-token', { method: 'POST', headers: { 'x-demo-request': '1' } });
    if (!response.ok) throw new Error(`context token: HTTP ${response.status}`);
    return (await response.json()).token;
  }

  xdm.defineModule('context', {
    getToken(callback) {
      contextToken().then((token) => callback(token), (error) => {
        console.error(error);
        callback('');
      });
    },
    getContext(callback) {
      callback(config.context);
    },
  });

  xdm.defineModule('env', {
    resize(width, height, callback) {
      const frame = frameOf(callback);
      if (frame && config.sizing === 'content' && height) frame.style.height = cssSize(height);
    },
    sizeToParent(hideFooter, callback) {
      const frame = frameOf(callback);
      if (frame) frame.classList.add('sized-to-parent');
    },
    hideFooter() {},
    getLocation(callback) {
      callback(window.location.href);
    },
  });

  // A Jira flag in the page's corner; returns a function that removes it.
  function showFlag(options) {
    const element = document.createElement('div');
    const type = ['success', 'info', 'warning', 'error'].includes(options?.type) ? options.type : 'info';
    element.className = `flag flag--${type}`;
    element.setAttribute('role', 'status');
    element.dataset.type = type;
    const title = document.createElement('strong');
    title.textContent = String(options?.title ?? '');
    const body = document.createElement('div');
    body.textContent = String(options?.body ?? '');
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'flag__close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    const remove = () => element.remove();
    close.addEventListener('click', remove);
    element.append(close, title, body);
    flags.append(element);
    if (options?.close === 'auto') setTimeout(remove, 8000);
    return remove;
  }

  // AP.flag.create(options) builds one of these on the host; close() may come from the iframe too.
  class Flag {
    constructor(options, callback) {
      this.remove = showFlag(options);
      callback(callback._id);
    }

    close() {
      this.remove?.();
    }
  }
  xdm.defineModule('flag', { create: { constructor: Flag, close: Flag.prototype.close } });

  xdm.defineModule('navigator', {
    go(target, context) {
      if (target === 'issue' && context?.issueKey) window.location.assign(`/browse/${encodeURIComponent(context.issueKey)}`);
      else if (target === 'dashboard' || target === 'site') window.location.assign('/');
      else showFlag({ type: 'info', title: `The demo site cannot open "${target}" pages`, close: 'auto' });
    },
    reload() {
      window.location.reload();
    },
    getLocation(callback) {
      callback({ target: config.context.issueKey ? 'issue' : 'addonmodule', context: config.context });
    },
  });

  // AP.events.emit from one iframe reaches the app's other iframes on the page (there is one here).
  xdm.defineModule('events', {
    emit(name, args, callback) {
      xdm.broadcast(name, { addon_key: config.addonKey }, args);
      if (typeof callback === 'function') callback();
    },
    emitPublic(name, args, callback) {
      if (typeof callback === 'function') callback();
    },
  });

  const extension = xdm.create({
    addon_key: config.addonKey,
    key: config.moduleKey,
    url: config.url,
    // As Atlassian's connect-host sets them (all.js reads globalOptions).
    options: {
      autoresize: config.sizing === 'content',
      isFullPage: config.sizing === 'parent',
      hostOrigin: window.location.origin,
      globalOptions: {},
    },
  }, () => {
    container.dataset.connected = 'true';
  });
  const iframe = document.createElement('iframe');
  iframe.id = extension.id;
  iframe.name = extension.name;
  iframe.title = config.title;
  iframe.className = `connect-iframe connect-iframe--${config.sizing}`;
  iframe.src = extension.src;
  container.append(iframe);

  // The issue page's links list follows what the app links (Jira's issue view refreshes the same way).
  const links = document.getElementById('issue-links');
  if (links && config.context.issueKey) {
    let shown = JSON.stringify([...links.querySelectorAll('li.issue-link')].map((li) => li.dataset.key));
    setInterval(async () => {
      const response = await fetch(`/demo/issue-links/${encodeURIComponent(config.context.issueKey)}`).catch(() => null);
      if (!response?.ok) return;
      const list = await response.json();
      if (JSON.stringify(list.map((l) => l.key)) === shown) return;
      shown = JSON.stringify(list.map((l) => l.key));
      links.replaceChildren(...list.map(({ relation, key, summary }) => {
        const item = document.createElement('li');
        item.className = 'issue-link';
        item.dataset.key = key;
        const anchor = document.createElement('a');
        anchor.href = `/browse/${encodeURIComponent(key)}`;
        anchor.textContent = key;
        const text = document.createElement('span');
        text.textContent = summary;
        item.append(`${relation} `, anchor, ' ', text);
        return item;
      }));
    }, 2000);
  }

  setTimeout(() => {
    if (container.dataset.connected) return;
    const note = document.createElement('p');
    note.className = 'connect-note';
    note.textContent = 'The app did not connect within 12 s. Its page loads Atlassian\'s all.js from connect-cdn.atl-paas.net: '
      + 'this browser must be able to reach it.';
    container.append(note);
  }, CONNECT_TIMEOUT_MS);
})();
