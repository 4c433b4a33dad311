/**
 * Iterates `source` while keeping up to `depth` of its next items in flight: the producer (a
 * search paced by a rate limit) works while the consumer handles what it already has, and
 * memory holds at most `depth` items ahead. Items and errors arrive in order; an error is
 * thrown where its item would have been.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Promise<IteratorResult<T>>[] = [];
  let finished = false;
  const fill = (): void => {
    while (!finished && pending.length < depth) {
      const next = iterator.next();
      // Awaited below in order; marked handled now so an early failure is not "unhandled".
      next.catch(() => undefined);
      pending.push(next);
    }
  };
  try {
    for (;;) {
      fill();
      const next = pending.shift();
      if (next === undefined) return;
      const result = await next;
      if (result.done === true) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    finished = true;
    await iterator.return?.();
  }
}
