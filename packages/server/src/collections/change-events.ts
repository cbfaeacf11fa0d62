import { EventEmitter } from 'node:events';

export type ChangeAction = 'create' | 'update' | 'delete';

/** A committed write. Records are complete (hidden fields included); consumers apply view rules. */
export interface ChangeEvent {
  collection: string;
  action: ChangeAction;
  /** The record after the write; for a delete, the record as it was. */
  record: Record<string, unknown>;
  /** The record before the write (update and delete); null for a create. */
  oldRecord: Record<string, unknown> | null;
  /** The PostgreSQL transaction id; writes of one batch share it. */
  txid: string;
}

/**
 * The in-process bus every committed record write goes through, after the
 * transaction commits (never for a write that rolled back). Realtime
 * subscribes here.
 */
export class ChangeEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** A listener that throws is isolated: the write already committed, and other listeners still run. */
  on(listener: (event: ChangeEvent) => void, onError?: (error: unknown) => void): () => void {
    const safe = (event: ChangeEvent) => {
      try {
        listener(event);
      } catch (error) {
        onError?.(error);
      }
    };
    this.emitter.on('change', safe);
    return () => this.emitter.off('change', safe);
  }

  emit(event: ChangeEvent): void {
    this.emitter.emit('change', event);
  }

  emitAll(events: readonly ChangeEvent[]): void {
    for (const event of events) this.emit(event);
  }
}
