/** One page of a list. */
export interface Page<Item> {
  items: Item[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Every item of every page, fetching the next page only when the consumer
 * gets to it; `break` stops fetching.
 */
export async function* paginate<Item>(
  fetchPage: (cursor: string | undefined) => Promise<Page<Item>>,
  firstCursor?: string,
): AsyncGenerator<Item, void, undefined> {
  let cursor = firstCursor;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    if (page.nextCursor === null || page.nextCursor === '') return;
    cursor = page.nextCursor;
  }
}
