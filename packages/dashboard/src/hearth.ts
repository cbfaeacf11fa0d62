import { createClient } from '@hearth/client';

/**
 * The dashboard's one SDK client, talking to the server that serves it. Its
 * own storage key keeps the admin's session apart from any app served from
 * the same origin that uses the SDK's default key.
 */
export const hearth = createClient(window.location.origin, { storageKey: 'hearth.dashboard.session' });
