// expect-exit: 0
import { EventEmitter, once } from 'node:events';
class Door extends EventEmitter { open(by: string): void { this.emit('open', by, 1); } }
const d = new Door();
d.on('open', (by, n) => console.log('opened by', by, n));
d.once('open', () => console.log('first open only'));
d.prependListener('open', () => console.log('prepended'));
d.open('alice'); d.open('bob');
console.log(d.listenerCount('open'), d.eventNames());
d.on('error', (e: Error) => console.log('error handled:', e.message));
d.emit('error', new Error('bad hinge'));
(async () => {
  setTimeout(() => d.emit('close', 'done', 2), 5);
  const args = await once(d, 'close');
  console.log('once resolved with', args);
  d.removeAllListeners('open');
  console.log('after removeAll', d.listenerCount('open'), d.emit('open', 'x'));
})();
