import { startAppleStandIn } from './apple-stand-in.js';
import type { StartAppleOptions } from './apple-stand-in.js';
import { startChromium } from './chromium.js';
import type { StartChromiumOptions } from './chromium.js';
import { startGitHubStandIn } from './github-stand-in.js';
import type { StartGitHubOptions } from './github-stand-in.js';
import { startOidcProvider } from './oidc-provider.js';
import type { StartOidcProviderOptions } from './oidc-provider.js';
import { startRedis } from './redis.js';
import type { StartRedisOptions } from './redis.js';
import { startS3 } from './s3.js';
import type { StartS3Options } from './s3.js';
import { startSmtpSink } from './smtp-sink.js';
import { useComponent } from './use-component.js';
import { startWebPushReceiver } from './web-push-receiver.js';

// One component per file or describe block, started in beforeAll; see useComponent.

export const useRedis = (options?: StartRedisOptions) => useComponent(() => startRedis(options));

export const useS3 = (options?: StartS3Options) => useComponent(() => startS3(options));

export const useSmtpSink = () => useComponent(() => startSmtpSink());

export const useOidcProvider = (options?: StartOidcProviderOptions) =>
  useComponent(() => startOidcProvider(options));

export const useGitHubStandIn = (options?: StartGitHubOptions) =>
  useComponent(() => startGitHubStandIn(options));

export const useAppleStandIn = (options?: StartAppleOptions) =>
  useComponent(() => startAppleStandIn(options));

export const useWebPushReceiver = () => useComponent(() => startWebPushReceiver());

export const useChromium = (options?: StartChromiumOptions) =>
  useComponent(() => startChromium(options), { timeoutMs: 60_000 });
