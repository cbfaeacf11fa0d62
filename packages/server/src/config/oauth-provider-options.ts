import { createPrivateKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * HEARTH_OAUTH_PROVIDERS: a JSON object of providers keyed by the name used in
 * URLs. Each entry is checked against the keys its preset takes, so a key that
 * belongs to another preset (a GitHub "issuer", an Apple "tenant") is an error
 * at start instead of a setting that silently does nothing.
 */
export const OAUTH_PRESETS = ['google', 'apple', 'microsoft', 'github', 'oidc'] as const;
export type OAuthPreset = (typeof OAUTH_PRESETS)[number];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const text = z.string().min(1, 'must not be empty');

/** An https URL; plain http only on loopback (a local stand-in in tests). */
const serverUrl = z.string().refine((value) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}, 'must be an https URL with no query or credentials (plain http only on 127.0.0.1, localhost or [::1])');

/** Apple's team and key ids are short ASCII identifiers, such as ABCDE12345. */
const appleId = z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'must be letters and digits, such as ABCDE12345');

const APPLE_KEY_HINT =
  'must be the PEM of an EC P-256 private key (the .p8 file Apple lets you download once)';

/** Parses the .p8 key Apple hands out: PKCS#8 PEM of an EC key on P-256. */
export function parseApplePrivateKey(pem: string): KeyObject | undefined {
  // Keys pasted into env files often carry "\n" as two characters; base64 never contains a backslash.
  const normalized = pem.replace(/\\n/g, '\n').trim();
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: normalized, format: 'pem' });
  } catch {
    return undefined;
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    return undefined;
  return key;
}

const applePrivateKey = z.string().transform((value, ctx) => {
  const key = parseApplePrivateKey(value);
  if (!key) {
    ctx.addIssue({ code: 'custom', message: APPLE_KEY_HINT });
    return z.NEVER;
  }
  return key;
});

const common = {
  preset: z.enum(OAUTH_PRESETS).optional(),
  clientId: text,
  clientSecret: text.optional(),
  scopes: z.array(text).optional(),
  displayName: text.optional(),
};

const APPLE_KEY_FIELDS = ['teamId', 'keyId', 'privateKey'] as const;

const presetSchemas = {
  oidc: z.strictObject({ ...common, issuer: serverUrl }),
  google: z.strictObject({ ...common, issuer: serverUrl.optional() }),
  microsoft: z.strictObject({ ...common, issuer: serverUrl.optional(), tenant: text.optional() }),
  apple: z
    .strictObject({
      ...common,
      issuer: serverUrl.optional(),
      teamId: appleId.optional(),
      keyId: appleId.optional(),
      privateKey: applePrivateKey.optional(),
    })
    .superRefine((value, ctx) => {
      const given = APPLE_KEY_FIELDS.filter((field) => value[field] !== undefined);
      if (given.length > 0 && value.clientSecret !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'give either "clientSecret" or "teamId", "keyId" and "privateKey", not both',
        });
      } else if (given.length > 0 && given.length < APPLE_KEY_FIELDS.length) {
        const missing = APPLE_KEY_FIELDS.find((field) => value[field] === undefined);
        ctx.addIssue({
          code: 'custom',
          message: `"${missing}" is required with ${given.map((field) => `"${field}"`).join(' and ')}`,
        });
      } else if (given.length === 0 && value.clientSecret === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'needs "teamId", "keyId" and "privateKey" (or a "clientSecret" JWT you renew yourself)',
        });
      }
    }),
  github: z.strictObject({ ...common, clientSecret: text, baseUrl: serverUrl.optional() }),
} satisfies Record<OAuthPreset, z.ZodType>;

/** One provider's options, with its preset resolved from `preset` or the provider's name. */
export type OAuthProviderOption = {
  [P in OAuthPreset]: Omit<z.output<(typeof presetSchemas)[P]>, 'preset'> & { preset: P };
}[OAuthPreset];

/** Extra hints for keys people carry over from another preset. */
const KEY_HINTS: Partial<Record<OAuthPreset, Record<string, string>>> = {
  github: { issuer: 'for GitHub Enterprise Server, set "baseUrl"' },
};

function presetOf(name: string, entry: Record<string, unknown>): OAuthPreset | string {
  const preset = entry.preset;
  if (preset === undefined) return (OAUTH_PRESETS as readonly string[]).includes(name) ? name : 'oidc';
  return typeof preset === 'string' ? preset : JSON.stringify(preset);
}

function isPreset(value: string): value is OAuthPreset {
  return (OAUTH_PRESETS as readonly string[]).includes(value);
}

const PROVIDER_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const EXAMPLE = '{"google":{"clientId":"…","clientSecret":"…"}}';

/** Parses and checks the providers; errors are one line naming the provider and key. */
export const oauthProviders = z.string().transform((value, ctx) => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return fail(`must be a JSON object of providers, e.g. ${EXAMPLE}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return fail(`must be a JSON object of providers, e.g. ${EXAMPLE}`);

  const providers: Record<string, OAuthProviderOption> = {};
  for (const [name, entry] of Object.entries(parsed)) {
    if (!PROVIDER_NAME.test(name))
      return fail(`${JSON.stringify(name)}: provider names are 1-32 lower-case letters, digits and -`);
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      return fail(`${name}: must be an object such as {"clientId":"…","clientSecret":"…"}`);
    const preset = presetOf(name, entry as Record<string, unknown>);
    if (!isPreset(preset)) return fail(`${name}.preset: must be one of ${OAUTH_PRESETS.join(', ')}`);
    const schema = presetSchemas[preset];
    const result = schema.safeParse(entry);
    if (!result.success) {
      const issue = result.error.issues[0];
      if (issue?.code === 'unrecognized_keys') {
        const key = issue.keys[0] ?? '';
        const hint = KEY_HINTS[preset]?.[key];
        const allowed = Object.keys(schema.shape).join(', ');
        return fail(
          `${name}: unknown key "${key}" for the ${preset} preset (${hint ? `${hint}; ` : ''}it takes ${allowed})`,
        );
      }
      const path = [name, ...(issue?.path ?? [])].join('.');
      return fail(`${path}: ${issue?.message ?? 'invalid'}`);
    }
    providers[name] = { ...result.data, preset } as OAuthProviderOption;
  }
  return providers;
});
