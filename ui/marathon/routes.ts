// The console's page addresses (hash routes). App ids contain slashes, so they are the tail of the path.
export const appHref = (id: string) => `/apps${id}`;
export const editHref = (id: string) => `/edit${id}`;
/** The app id from a route's `*` tail ("seed/web" → "/seed/web"). */
export const idFromSplat = (splat: string | undefined) => `/${(splat ?? '').replace(/^\/+|\/+$/g, '')}`;
/** A group's folder view; the root group is the applications page itself. */
export const groupHref = (id: string) => (id === '/' ? '/' : `/group${id}`);
