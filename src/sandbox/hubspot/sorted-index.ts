/** Entries per block before it splits; small enough that a block splice is cheap. */
const BLOCK_MAX = 512;

/** A run of consecutive entries, in index order. */
interface Block {
  epochs: number[];
  ids: string[];
  /** `Number(id)`, the tie-break, kept so comparisons do not convert. */
  numbers: number[];
}

/** Where an entry is or would go: a block and a position in it. */
interface Place {
  readonly block: number;
  readonly at: number;
}

/**
 * Record ids ordered by one datetime property (then by numeric id), so that a search window such
 * as `lastmodifieddate >= X AND lastmodifieddate < Y` reads a slice instead of scanning every
 * record. Bulk loads mark the index stale and it is rebuilt (one sort) on first use; after that,
 * writes keep it current. Entries live in blocks of at most {@link BLOCK_MAX}, so a write moves
 * one block's worth of entries, not the whole index, and counting a window adds block sizes.
 */
export class SortedIndex {
  private blocks: Block[] = [];
  private stale = true;

  constructor(private readonly entries: () => Iterable<readonly [string, number | undefined]>) {}

  markStale(): void {
    this.stale = true;
  }

  private rebuild(): void {
    const pairs: [number, string, number][] = [];
    for (const [id, epoch] of this.entries())
      if (epoch !== undefined) pairs.push([epoch, id, Number(id)]);
    pairs.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
    const half = BLOCK_MAX / 2;
    this.blocks = [];
    for (let start = 0; start < pairs.length; start += half) {
      const chunk = pairs.slice(start, start + half);
      this.blocks.push({
        epochs: chunk.map((pair) => pair[0]),
        ids: chunk.map((pair) => pair[1]),
        numbers: chunk.map((pair) => pair[2]),
      });
    }
    this.stale = false;
  }

  /** First place whose (epoch, id) is not before (epoch, numeric id). */
  private place(epoch: number, numericId: number): Place {
    const before = (block: Block, index: number): boolean => {
      const at = block.epochs[index] ?? 0;
      return at < epoch || (at === epoch && (block.numbers[index] ?? 0) < numericId);
    };
    // The first block whose last entry is not before the key.
    let low = 0;
    let high = this.blocks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const block = this.blocks[middle] as Block;
      if (before(block, block.epochs.length - 1)) low = middle + 1;
      else high = middle;
    }
    if (low === this.blocks.length) {
      const last = this.blocks.length - 1;
      return last < 0
        ? { block: 0, at: 0 }
        : { block: last, at: this.blocks[last]?.epochs.length ?? 0 };
    }
    const block = this.blocks[low] as Block;
    let first = 0;
    let end = block.epochs.length;
    while (first < end) {
      const middle = (first + end) >>> 1;
      if (before(block, middle)) first = middle + 1;
      else end = middle;
    }
    return { block: low, at: first };
  }

  /** Moves `id` from `previous` to `next` (either may be undefined: insert or remove). */
  move(id: string, previous: number | undefined, next: number | undefined): void {
    if (this.stale) return;
    const numericId = Number(id);
    if (previous !== undefined) {
      const { block: index, at } = this.place(previous, numericId);
      const block = this.blocks[index];
      if (block !== undefined && block.ids[at] === id) {
        block.epochs.splice(at, 1);
        block.ids.splice(at, 1);
        block.numbers.splice(at, 1);
        if (block.ids.length === 0) this.blocks.splice(index, 1);
      }
    }
    if (next !== undefined) {
      const { block: index, at } = this.place(next, numericId);
      let block = this.blocks[index];
      if (block === undefined) {
        block = { epochs: [], ids: [], numbers: [] };
        this.blocks.push(block);
      }
      block.epochs.splice(at, 0, next);
      block.ids.splice(at, 0, id);
      block.numbers.splice(at, 0, numericId);
      if (block.ids.length > BLOCK_MAX) {
        const half = block.ids.length >>> 1;
        this.blocks.splice(index + 1, 0, {
          epochs: block.epochs.splice(half),
          ids: block.ids.splice(half),
          numbers: block.numbers.splice(half),
        });
      }
    }
  }

  /** The places of the first entry with `from <= epoch` and of the first with `to <= epoch`. */
  private bounds(from: number, to: number): [Place, Place] {
    if (this.stale) this.rebuild();
    const last = this.blocks.length - 1;
    const start = from === -Infinity ? { block: 0, at: 0 } : this.place(from, -1);
    const end =
      to === Infinity
        ? { block: Math.max(last, 0), at: this.blocks[last]?.ids.length ?? 0 }
        : this.place(to, -1);
    return [start, end];
  }

  /** Ids with `from <= epoch < to` (bounds optional), in index order. */
  range(from: number, to: number): readonly string[] {
    const ids: string[] = [];
    this.each(from, to, (id) => {
      ids.push(id);
      return true;
    });
    return ids;
  }

  /** How many ids have `from <= epoch < to`. */
  count(from: number, to: number): number {
    const [start, end] = this.bounds(from, to);
    if (end.block < start.block || (end.block === start.block && end.at <= start.at)) return 0;
    let count = -start.at + end.at;
    for (let index = start.block; index < end.block; index += 1)
      count += this.blocks[index]?.ids.length ?? 0;
    return count;
  }

  /** Visits the ids with `from <= epoch < to` in index order, until `visit` returns false. */
  each(from: number, to: number, visit: (id: string) => boolean): void {
    const [start, end] = this.bounds(from, to);
    for (let index = start.block; index <= end.block; index += 1) {
      const ids = this.blocks[index]?.ids ?? [];
      const stop = index === end.block ? end.at : ids.length;
      for (let at = index === start.block ? start.at : 0; at < stop; at += 1)
        if (!visit(ids[at] as string)) return;
    }
  }
}
