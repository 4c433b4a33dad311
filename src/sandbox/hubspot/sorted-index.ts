/**
 * Record ids ordered by one datetime property (then by numeric id), so that a search window such
 * as `lastmodifieddate >= X AND lastmodifieddate < Y` reads a slice instead of scanning every
 * record. Bulk loads mark the index stale and it is rebuilt (one sort) on first use; after that,
 * writes keep it current with a binary-search insert or remove.
 */
export class SortedIndex {
  private epochs: number[] = [];
  private ids: string[] = [];
  private stale = true;

  constructor(private readonly entries: () => Iterable<readonly [string, number | undefined]>) {}

  markStale(): void {
    this.stale = true;
  }

  private rebuild(): void {
    const pairs: [number, string][] = [];
    for (const [id, epoch] of this.entries()) if (epoch !== undefined) pairs.push([epoch, id]);
    pairs.sort((a, b) => a[0] - b[0] || Number(a[1]) - Number(b[1]));
    this.epochs = pairs.map((pair) => pair[0]);
    this.ids = pairs.map((pair) => pair[1]);
    this.stale = false;
  }

  /** First position whose (epoch, id) is not before (epoch, id). */
  private position(epoch: number, id: string): number {
    let low = 0;
    let high = this.epochs.length;
    const numericId = Number(id);
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = this.epochs[middle] ?? 0;
      if (at < epoch || (at === epoch && Number(this.ids[middle]) < numericId)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Moves `id` from `previous` to `next` (either may be undefined: insert or remove). */
  move(id: string, previous: number | undefined, next: number | undefined): void {
    if (this.stale) return;
    if (previous !== undefined) {
      const at = this.position(previous, id);
      if (this.ids[at] === id) {
        this.epochs.splice(at, 1);
        this.ids.splice(at, 1);
      }
    }
    if (next !== undefined) {
      const at = this.position(next, id);
      this.epochs.splice(at, 0, next);
      this.ids.splice(at, 0, id);
    }
  }

  /** Ids with `from <= epoch < to` (bounds optional), in index order. */
  range(from: number, to: number): readonly string[] {
    if (this.stale) this.rebuild();
    const start = from === -Infinity ? 0 : this.position(from, '-1');
    const end = to === Infinity ? this.ids.length : this.position(to, '-1');
    return this.ids.slice(start, end);
  }
}
