export { ComponentUnavailable, probe, requireAllComponents } from './availability.js';
export type { Availability } from './availability.js';
export { startOrSkip, useComponent } from './use-component.js';
export type { Closable, UseComponentOptions } from './use-component.js';
export {
  useAppleStandIn,
  useChromium,
  useGitHubStandIn,
  useOidcProvider,
  useRedis,
  useS3,
  useSmtpSink,
  useWebPushReceiver,
} from './use-components.js';

export { startRedis } from './redis.js';
export type { ClientOptions as RedisClientOptions, RedisHandle, StartRedisOptions } from './redis.js';
export { startS3 } from './s3.js';
export type { S3Env, S3Handle, StartS3Options } from './s3.js';
export { startSmtpSink } from './smtp-sink.js';
export type { CapturedMail, SmtpRefusal, SmtpSink } from './smtp-sink.js';
export { parseMessage } from './mime.js';
export type { MimeAttachment, ParsedMessage } from './mime.js';
export { startOidcProvider } from './oidc-provider.js';
export type { OidcAccount, OidcProviderHandle, StartOidcProviderOptions } from './oidc-provider.js';
export { startGitHubStandIn } from './github-stand-in.js';
export type {
  GitHubAccount,
  GitHubApiPath,
  GitHubEmail,
  GitHubFault,
  GitHubStandIn,
  StartGitHubOptions,
} from './github-stand-in.js';
export { startAppleStandIn } from './apple-stand-in.js';
export type { AppleAccount, ApplePostedForm, AppleStandIn, StartAppleOptions } from './apple-stand-in.js';
export { followAuthorization } from './follow-authorization.js';
export type { FollowAuthorizationOptions } from './follow-authorization.js';
export { CookieJar } from './cookie-jar.js';
export { startWebPushReceiver } from './web-push-receiver.js';
export type {
  NewSubscriptionOptions,
  PushAttempt,
  PushSubscriptionJson,
  ReceivedPush,
  WebPushReceiver,
} from './web-push-receiver.js';
export { verifyVapid } from './vapid.js';
export type { VapidCheck, VapidIdentity } from './vapid.js';
export { findChromium, startChromium } from './chromium.js';
export type { ChromiumHandle, StartChromiumOptions } from './chromium.js';
export { findFreePort } from './ports.js';
