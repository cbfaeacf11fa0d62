import type { AuthChangeEvent, AuthState } from './auth-types.js';
import { parseStoredState } from './session-store.js';

/** What one tab tells the others after it signs in, refreshes, updates the user or signs out. */
interface TabSyncMessage {
  type: 'hearth-auth';
  sender: string;
  event: AuthChangeEvent;
  state: AuthState | null;
}

export interface TabSync {
  /** Tells the other tabs about a change this tab made (and has already stored). */
  publish(event: AuthChangeEvent, state: AuthState | null): void;
  close(): void;
}

export interface TabSyncOptions {
  channelName: string;
  /** The session's storage key, watched through `storage` events when there is no BroadcastChannel. */
  storageKey: string;
  /** This client's id; its own messages are ignored. */
  sender: string;
  /** `event` is undefined when it must be inferred (a `storage` event carries only the new value). */
  onChange(event: AuthChangeEvent | undefined, state: AuthState | null): void;
}

interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  unref?: () => void;
}

type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

interface StorageEventLike {
  key: string | null;
  newValue: string | null;
}

interface EventTargetLike {
  addEventListener(type: 'storage', listener: (event: StorageEventLike) => void): void;
  removeEventListener(type: 'storage', listener: (event: StorageEventLike) => void): void;
}

/**
 * Keeps tabs of one origin in step: a BroadcastChannel where the runtime has
 * one, else the `storage` events other tabs' writes fire. Returns undefined
 * where neither exists (React Native, old runtimes): there are no tabs there.
 */
export function startTabSync(options: TabSyncOptions): TabSync | undefined {
  const Channel = (globalThis as unknown as { BroadcastChannel?: BroadcastChannelConstructor })
    .BroadcastChannel;
  if (typeof Channel === 'function') return broadcastChannelSync(Channel, options);
  const target = (globalThis as { window?: Partial<EventTargetLike> }).window;
  if (typeof target?.addEventListener === 'function' && typeof target.removeEventListener === 'function') {
    return storageEventSync(target as EventTargetLike, options);
  }
  return undefined;
}

function broadcastChannelSync(Channel: BroadcastChannelConstructor, options: TabSyncOptions): TabSync {
  const channel = new Channel(options.channelName);
  // In Node, an open channel would otherwise keep the process running.
  channel.unref?.();
  channel.onmessage = ({ data }) => {
    if (!isMessage(data) || data.sender === options.sender) return;
    options.onChange(data.event, data.state);
  };
  let closed = false;
  return {
    publish(event, state) {
      if (closed) return;
      const message: TabSyncMessage = { type: 'hearth-auth', sender: options.sender, event, state };
      try {
        channel.postMessage(message);
      } catch {
        // A closed or broken channel only costs the other tabs an update.
      }
    },
    close() {
      closed = true;
      channel.onmessage = null;
      channel.close();
    },
  };
}

function storageEventSync(target: EventTargetLike, options: TabSyncOptions): TabSync {
  const listener = (event: StorageEventLike) => {
    // key null: the other tab cleared all of storage.
    if (event.key !== options.storageKey && event.key !== null) return;
    options.onChange(undefined, parseStoredState(event.newValue));
  };
  target.addEventListener('storage', listener);
  return {
    // The other tabs see this tab's storage writes as events; nothing to send.
    publish() {},
    close: () => target.removeEventListener('storage', listener),
  };
}

function isMessage(data: unknown): data is TabSyncMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === 'hearth-auth' &&
    typeof (data as { sender?: unknown }).sender === 'string'
  );
}
