import { UserError } from '../../errors.js';

/** A cached card whose data no longer matches the CRC-32 recorded when it was composed. */
export class CacheCorruptError extends UserError {
  constructor(offset: number) {
    super(`the cached composed card is corrupt (its data at ${(offset / 2 ** 20).toFixed(1)} MiB changed since it was composed)`, {
      hint: 'it has been removed; run the same command again (it composes the card anew from the release)',
    });
    this.name = 'CacheCorruptError';
  }
}
