/**
 * An iterable whose source is opened on the first `next()`: a read's checks then fail as a
 * rejected `next()` (what `for await` surfaces), and nothing is opened for an iterable never
 * iterated. One object, no generator layer, so a hot read pays one extra call per event.
 */
export function lazyIterable<T>(open: () => AsyncIterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      let source: AsyncIterator<T> | undefined;
      let done = false;
      return {
        next(): Promise<IteratorResult<T>> {
          if (done) return Promise.resolve({ done: true, value: undefined });
          if (source === undefined) {
            try {
              source = open()[Symbol.asyncIterator]();
            } catch (error) {
              done = true;
              return Promise.reject(error);
            }
          }
          return source.next();
        },
        return(value?: unknown): Promise<IteratorResult<T>> {
          done = true;
          if (source?.return) return source.return(value);
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}
