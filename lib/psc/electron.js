'use strict';
// Electron transport over real cross-process calls: renderers `ipcRenderer.send` to the main
// process, which replies with `event.reply` and broadcasts with `webContents.send` to every
// renderer it has heard from.
const { createSyncAdapter } = require('./adapter');
const { createPSCSynchronizer } = require('./synchronizer');
const { TO_MAIN, TO_CLIENT } = require('./events');

function ElectronSyncAdapter(ipcRenderer) {
  return createSyncAdapter({
    send(event) {
      ipcRenderer.send(TO_MAIN, event);
    },
    receive(handler) {
      ipcRenderer.on(TO_CLIENT, (_event, payload) => handler(payload));
    },
  });
}

let started = false;

/** Wires the hub on `ipcMain`. As in alova, only the first call per process does anything. */
function createElectronPSCSynchronizer(ipcMain) {
  if (started) return;
  started = true;
  const renderers = new Set();
  const alive = (wc) => !(typeof wc.isDestroyed === 'function' && wc.isDestroyed());
  createPSCSynchronizer(
    createSyncAdapter({
      send(event) {
        for (const wc of renderers) {
          if (alive(wc)) wc.send(TO_CLIENT, event);
          else renderers.delete(wc);
        }
      },
      receive(handler) {
        ipcMain.on(TO_MAIN, (ipcEvent, payload) => {
          const wc = ipcEvent.sender;
          if (wc && !renderers.has(wc)) {
            renderers.add(wc);
            if (typeof wc.once === 'function') wc.once('destroyed', () => renderers.delete(wc));
          }
          const reply =
            typeof ipcEvent.reply === 'function'
              ? (ev) => ipcEvent.reply(TO_CLIENT, ev)
              : (ev) => wc.send(TO_CLIENT, ev);
          handler(payload, reply);
        });
      },
    }),
  );
}

module.exports = { ElectronSyncAdapter, createElectronPSCSynchronizer };
